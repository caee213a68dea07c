// Builds the shipped shared model (issue 13): the committee chosen by inner cross-validation on every
// system of the dataset, with the error calibration of the nested study (nested-evaluation.ts).
//   npx tsx scripts/model/shared-model.ts <dataset...> --nested docs/model/nested/nested.json --out data/models/default.onnx
// Writes the ONNX model (temporary name, then rename) and <out minus .onnx>.json: what was chosen.
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { innerFoldsOption } from '../../lib/model/committee';
import { openDatasets } from '../../lib/model/dataset-files';
import { candidateName } from '../../lib/model/nested';
import { buildSharedModel } from '../../lib/model/shared-model';
import { writeFileAtomic } from '../../lib/model/train';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { nested: { type: 'string' }, out: { type: 'string' }, 'inner-folds': { type: 'string', default: 'loo' } } });
if (positionals.length === 0 || !values.nested || !values.out) {
  console.error('usage: shared-model.ts <dataset...> --nested nested.json --out model.onnx');
  process.exit(2);
}
const nested = JSON.parse(fs.readFileSync(values.nested as string, 'utf8'));
if (nested.schema !== 'ionfield.nested-evaluation/2') throw new Error(`${values.nested}: not a nested evaluation (schema ${nested.schema})`);
// Left on disk: the committee needs each system's moments only, accumulated a chunk at a time.
const dataset = openDatasets(positionals);
const names = dataset.systems.map((s) => s.name).sort().join(',');
const studied = nested.rows.map((r: { system: string }) => r.system).sort().join(',');
if (names !== studied) throw new Error(`${values.nested} was run on other systems than ${positionals.join(' ')}`);
const calibration = { ...nested.calibration, source: `nested leave-one-system-out over ${nested.systems} systems (${values.nested})` };
const { onnx, metadata, committee } = buildSharedModel(dataset, calibration, { innerFolds: innerFoldsOption(values['inner-folds'] as string) });
writeFileAtomic(values.out as string, onnx);
const summary = { schema: 'ionfield.shared-model-build/1', out: values.out, datasets: positionals, systems: dataset.systems.map((s) => s.name), selected: committee.candidate, members: committee.members.length, innerFolds: committee.folds, scores: committee.scores, calibration, domain: { spacing: metadata.uncertainty!.domain.spacing, threshold: metadata.uncertainty!.domain.threshold } };
writeFileAtomic((values.out as string).replace(/\.onnx$/, '') + '.json', new TextEncoder().encode(JSON.stringify(summary, null, 1) + '\n'));
console.log(`${values.out}: committee of ${committee.members.length} (${candidateName(committee.candidate)}), calibration k = ${calibration.k.toFixed(2)}, f = ${calibration.f.toFixed(3)}`);
