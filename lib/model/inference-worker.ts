// Worker thread that owns an ONNX Runtime session: InferenceSession.run blocks the thread it runs on,
// so it runs here and the main thread (progress bars, the trajectory reader, callers) stays free.
// Protocol: {type:'open', model: Uint8Array, providers} -> {type:'opened', provider, inputs, outputs}
//           {type:'run', id, feeds: {name: {data: Float32Array, dims}}} -> {type:'result', id, outputs, seconds}
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

let session: ort.InferenceSession | null = null;

async function open(model: Uint8Array, providers: string[]): Promise<{ provider: string; note: string }> {
  const notes: string[] = [];
  for (const provider of providers) {
    try {
      session = await ort.InferenceSession.create(model, { executionProviders: [provider], graphOptimizationLevel: 'all', enableMemPattern: false });
      return { provider, note: notes.join('; ') };
    } catch (err) {
      notes.push(`${provider} provider unavailable: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(`no ONNX Runtime execution provider could load the model: ${notes.join('; ')}`);
}

parentPort!.on('message', (msg: { type: string; id?: number; model?: Uint8Array; providers?: string[]; feeds?: Record<string, { data: Float32Array; dims: number[] }> }) => {
  void (async () => {
    try {
      if (msg.type === 'open') {
        const r = await open(msg.model!, msg.providers!);
        parentPort!.postMessage({ type: 'opened', ...r, inputs: session!.inputNames, outputs: session!.outputNames });
      } else if (msg.type === 'run') {
        const started = process.hrtime.bigint();
        const feeds: Record<string, ort.Tensor> = {};
        for (const [name, f] of Object.entries(msg.feeds!)) feeds[name] = new ort.Tensor('float32', f.data, f.dims);
        const out = await session!.run(feeds);
        const outputs: Record<string, Float32Array> = {};
        const transfer: ArrayBuffer[] = [];
        for (const [name, t] of Object.entries(out)) {
          const data = t.data as Float32Array;
          const copy = new Float32Array(data); // own buffer, transferable
          outputs[name] = copy;
          transfer.push(copy.buffer as ArrayBuffer);
        }
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        parentPort!.postMessage({ type: 'result', id: msg.id, outputs, seconds }, transfer);
      }
    } catch (err) {
      parentPort!.postMessage({ type: 'error', id: msg.id, message: (err as Error).message });
    }
  })();
});
