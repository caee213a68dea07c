// The analyses of a per-ion field (see docs/analysis.md).
export { analyzeField, writeAnalysis } from './run';
export type { AnalysisResult, AnalyzeOptions } from './run';
export { loadField, checkField, speciesIndex } from './field';
export type { Field, LoadFieldOptions } from './field';
export { distributions } from './distribution';
export type { SpeciesDistribution } from './distribution';
export { pairStructure, pairCutoff, maxPairRange } from './structure';
export type { PairCutoff, PairCurve, StructureResult, StructureOptions } from './structure';
export { classifyClusters } from './clusters';
export type { ClusterResult, ClassStatistics } from './clusters';
export { fluctuationAgainstLambda } from './fluctuation';
export type { FluctuationResult, SystemFluctuation } from './fluctuation';
export { permutationImportance } from './importance';
export type { ImportanceResult, FeatureImportance } from './importance';
export { readNpy, writeNpy } from './npy';
