// ONNX Runtime inference off the main thread (lib/model/inference-worker.ts): one session per
// predictor, requests queued in order, feature buffers transferred (not copied) to the worker.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../native';

export type Provider = 'auto' | 'cpu' | 'cuda';

function workerPath(): string {
  const sibling = path.join(__dirname, 'inference-worker.js');
  if (fs.existsSync(sibling)) return sibling;
  // Running from TypeScript sources (tests through tsx): use the compiled worker.
  const compiled = path.join(packageRoot(), 'dist', 'lib', 'model', 'inference-worker.js');
  if (!fs.existsSync(compiled)) throw new Error(`${compiled} is missing: run \`npm run build:ts\``);
  return compiled;
}

interface Pending {
  resolve: (v: { outputs: Record<string, Float32Array>; seconds: number }) => void;
  reject: (e: Error) => void;
}

/** Whether onnxruntime-node's CUDA execution provider library was installed beside its binding. */
export function cudaProviderInstalled(): boolean {
  try {
    const ortDir = path.dirname(require.resolve('onnxruntime-node/package.json'));
    const dir = path.join(ortDir, 'bin', 'napi-v6', process.platform, process.arch);
    return fs.existsSync(path.join(dir, 'libonnxruntime_providers_cuda.so')) || fs.existsSync(path.join(dir, 'onnxruntime_providers_cuda.dll'));
  } catch {
    return false;
  }
}

// Runs in flight in any inference worker. process.exit terminates worker threads; one terminated
// inside ONNX Runtime's run aborts the whole process (its binding throws a C++ exception that can no
// longer reach JS), so an interrupted CLI stops new runs and waits for these before it exits.
const inference = { inFlight: 0, stopping: false, idle: [] as (() => void)[] };

/** Refuses new inference runs and resolves when none is in flight (or after timeoutMs). */
export function quiesceInference(timeoutMs: number): Promise<void> {
  inference.stopping = true;
  if (inference.inFlight === 0) return Promise.resolve();
  return new Promise((resolve) => {
    inference.idle.push(resolve);
    setTimeout(resolve, timeoutMs).unref();
  });
}

export class OnnxPredictor {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | null = null;

  private constructor(private readonly worker: Worker, readonly provider: string, readonly providerNote: string, readonly inputNames: string[], readonly outputNames: string[]) {
    worker.on('message', (msg: { type: string; id: number; outputs?: Record<string, Float32Array>; seconds?: number; message?: string }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.type === 'result') p.resolve({ outputs: msg.outputs!, seconds: msg.seconds! });
      else p.reject(new Error(`ONNX Runtime: ${msg.message}`));
    });
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', (code) => {
      if (this.pending.size) this.failAll(new Error(`ONNX Runtime worker exited (code ${code})`));
    });
  }

  private failAll(err: Error): void {
    this.failure = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /** provider 'auto': CUDA when onnxruntime-node has it, else CPU (the note says why). */
  static async open(model: Uint8Array, provider: Provider = 'auto'): Promise<OnnxPredictor> {
    // Asking ONNX Runtime for a provider whose library is absent makes it log an error to stderr
    // before falling back, so 'auto' only tries CUDA when the provider library is installed.
    const cudaInstalled = cudaProviderInstalled();
    const providers = provider === 'auto' ? (cudaInstalled ? ['cuda', 'cpu'] : ['cpu']) : [provider];
    const worker = new Worker(workerPath());
    try {
      const opened = await new Promise<{ provider: string; note: string; inputs: string[]; outputs: string[] }>((resolve, reject) => {
        worker.once('message', (msg: { type: string; provider: string; note: string; inputs: string[]; outputs: string[]; message?: string }) =>
          msg.type === 'opened' ? resolve(msg) : reject(new Error(msg.message)));
        worker.once('error', reject);
        worker.postMessage({ type: 'open', model, providers });
      });
      const note = provider === 'auto' && !cudaInstalled
        ? 'CPU: onnxruntime-node was installed without its CUDA provider (see README, "GPU")'
        : opened.note;
      return new OnnxPredictor(worker, opened.provider, note, opened.inputs, opened.outputs);
    } catch (err) {
      await worker.terminate();
      throw err;
    }
  }

  /** Runs the graph; the feed arrays are transferred to the worker (unusable here afterwards). */
  run(feeds: Record<string, { data: Float32Array; dims: number[] }>): Promise<{ outputs: Record<string, Float32Array>; seconds: number }> {
    if (this.failure) return Promise.reject(this.failure);
    if (inference.stopping) return Promise.reject(Object.assign(new Error('the process is exiting'), { name: 'AbortError' }));
    const id = this.nextId++;
    inference.inFlight++;
    const done = () => {
      if (--inference.inFlight === 0) for (const w of inference.idle.splice(0)) w();
    };
    return new Promise<{ outputs: Record<string, Float32Array>; seconds: number }>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const transfer = Object.values(feeds).map((f) => f.data.buffer as ArrayBuffer);
      this.worker.postMessage({ type: 'run', id, feeds }, transfer);
    }).finally(done);
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
