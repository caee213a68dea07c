// onnxruntime-node is installed from the npm registry alone and runs a graph built with onnx-proto.
import { strict as assert } from 'node:assert';
import * as ort from 'onnxruntime-node';
import { encodeModel, floatTensor, floatValue, node } from '../lib/model/onnx-builder';

describe('ONNX Runtime (onnxruntime-node)', () => {
  it('runs a hand-built affine graph y = tanh(x W + b) on the CPU provider and matches plain arithmetic', async () => {
    const W = [0.5, -1.0, 0.25, 2.0, 1.5, -0.75]; // 3 x 2
    const b = [0.1, -0.2];
    const bytes = encodeModel({
      name: 'affine',
      nodes: [node('MatMul', ['x', 'W'], ['xw']), node('Add', ['xw', 'b'], ['z']), node('Tanh', ['z'], ['y'])],
      inputs: [floatValue('x', ['batch', 3])],
      outputs: [floatValue('y', ['batch', 2])],
      initializers: [floatTensor('W', [3, 2], W), floatTensor('b', [2], b)],
      metadata: { purpose: 'install check' },
    });
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
    const x = new Float32Array([1, 2, 3, -1, 0.5, 0]);
    const out = await session.run({ x: new ort.Tensor('float32', x, [2, 3]) });
    const y = out.y.data as Float32Array;
    for (let r = 0; r < 2; r++)
      for (let c = 0; c < 2; c++) {
        let z = b[c];
        for (let k = 0; k < 3; k++) z += x[3 * r + k] * W[2 * k + c];
        assert.ok(Math.abs(y[2 * r + c] - Math.tanh(z)) < 1e-6, `y[${r},${c}] = ${y[2 * r + c]} vs ${Math.tanh(z)}`);
      }
  });
});
