// The public API of ionfield. Everything a Node program needs is exported from here.
export { openTrajectory, Trajectory, parseCharges, parseKeyValueList } from './trajectory';
export type { Frame, FrameBatch, FrameRange, TrajectoryOptions } from './trajectory';
export { withProgress } from './progress';
export type { Progress, ProgressUnit, ProgressCallback, ProgressRun, LongCallOptions } from './progress';
export { isAbortError } from './abort';
export { trajectoryInfo, countFrames } from './info';
export type { TrajectoryInfo, BoxInfo, InfoOptions } from './info';
export { convertTrajectory } from './convert';
export type { ConvertOptions, ConvertResult } from './convert';
export { TransportCorrelator, accumulateTransport, computeTransport, loadPartial, mergePartials, savePartial, transportReport } from './transport';
export type { CorrelatorOptions, TransportOptions, TransportPartial, TransportReport, TransportMeta, Quantity } from './transport';
export { UNIT_SYSTEMS, unitSystem } from './transport/units';
export { analyse } from './transport/estimate';
export type { TransportSums, SystemDescription, WindowOptions, Analysis } from './transport/estimate';
export type { UnitStyle, UnitSystem } from './transport/units';
export { native } from './native';
export * as kinosons from './kinosons/index';
// Shards and exact merges (docs/scale-out.md).
export { accumulateTransportShard, mergeTransportPieces, planTransportShard } from './transport/shard';
export type { TransportPiece, TransportShardPlan } from './transport/shard';
export { runKmcShard, mergeKmcPieces } from './kinosons/shard';
export type { KmcPiece } from './kinosons/shard';
export { parseShard, combineShardPartials, loadShardPartial, saveShardPartial, missingShards } from './shard/partial-file';
export type { ShardPartial, ShardSpec, InputFingerprint } from './shard/partial-file';
export { finishShards } from './shard/finish';
export { datasetShard, mergeDatasetPieces, planDatasetShard } from './dataset/shard';
export type { DatasetPiece, DatasetSystemPart } from './dataset/shard';
export { analyzeShard, mergeAnalysisPieces } from './analysis/shard';
export type { AnalysisPiece, AnalysisShardOptions } from './analysis/shard';
export { reportTasks, finishReport, mergeReportPieces } from './kinosons/report';
export type { ReportTask, ReportPiece } from './kinosons/report';
// Trajectory tables: one row per trajectory (docs/scale-out.md).
export { readTrajectoryList, tableRows } from './table/rows';
export type { TrajectoryRow } from './table/rows';
export { tableShard, tablePartial, finishTable } from './table/shard';
export type { TablePiece, TableRowResult } from './table/shard';
export { loadSet, parseSetJson, parseN2p2, bindSet, shippedSets } from './descriptor-sets';
export type { DescriptorSetDef, BoundSet, SymmetryFunction, FunctionType, CutoffKind } from './descriptor-sets';
export { writeDescriptors, computeBatch, rowMap, columnsDocument, neighborList, resolveDevice } from './descriptors';
export type { DescriptorRunOptions, DescriptorSummary, ComputeOptions, RowMap, NeighborListOptions, NeighborListResult } from './descriptors';
export { NpyWriter, readNpy } from './npy';
// Reading result and input files written before the camelCase keys (docs/json.md).
export { upgradeLegacyDocument } from './legacy-document';
export { buildDataset, systemName, lambdaPrefactor } from './dataset';
export type { DatasetOptions, DatasetSummary, SystemEntry, FamilyManifest } from './dataset';
export { readTopology, writeTopology, topologyPathFor } from './dataset/topology';
export { readLammpsData } from './topology/lammps-data';
export type { LammpsData } from './topology/lammps-data';
export { loadTopology } from './topology/load';
export { subsetTopology } from './topology/subset';
export { molecularSystem, parseMoleculeNames } from './topology/molecules';
export type { AtomTopology, MolecularSystem, MoleculeSpecies, NameRule } from './topology/molecules';
export type { DeviceReport } from './native';
export { trainModel, nativeSystemLambda } from './model/train';
export type { TrainModelOptions, TrainReport, SystemPrediction } from './model/train';
export { predictTrajectory, readModel, bindModel, blockError, ModelMismatchError, defaultModelPath } from './model/predict';
export type { SharedPredictReport } from './model/predict-shared';
export { nestedEvaluation } from './model/nested';
export type { PredictOptions, PredictReport, LoadedModel } from './model/predict';
export { loadDatasets, readManifest, targetLambda } from './model/dataset';
export type { Dataset, DatasetManifest, LoadedSystem } from './model/dataset';
export { exportOnnx, metadataProps, parseMetadataProps, MODEL_SCHEMA } from './model/onnx-export';
export type { ModelMetadata } from './model/onnx-export';
export { OnnxPredictor } from './model/inference';
export { fitLinear, linearSystemLambda, fitConcentration, concentrationSystemLambda } from './model/baselines';
export type { NativeNnModel, NativeEpochReport } from './native';

import { native as loadNative } from './native';
/** Which accelerators this build can use: CUDA kernels compiled, GPUs visible now. */
export function devices() {
  return loadNative().queryDevices();
}

export * from './analysis';
export { buildReport, loadResults } from './report/build';
export type { ReportInput } from './report/build';
export { renderSvg } from './report/svg';
export { runDemo, defaultStages } from './demo/pipeline';
export type { DemoContext, DemoStages } from './demo/pipeline';
