// Types what the native addon exports and hands it to the rest of lib/, which imports the typed
// handles below. Which binary is loaded (a build from source or the shipped prebuild) and whether
// it fits this machine is native-load.ts's job.
import { loadAddon } from './native-load';
export { packageRoot } from './native-load';

export interface NativeBox {
  matrix: Float64Array; // 3x3, cell vectors as rows
  origin: Float64Array;
  lengths: Float64Array;
  angles: Float64Array;
  volume: number;
  orthorhombic: boolean;
  periodic: boolean[];
}

export interface NativeBatch {
  frames: number;
  natoms: number;
  positions: Float64Array; // frames * natoms * 3
  boxes: Float64Array | null; // frames * 9
  origins: Float64Array; // frames * 3
  steps: Float64Array;
  times: Float64Array;
  types: string[] | null;
  charges: Float64Array | null;
  ids: Float64Array | null;
  /** Molecule IDs and masses per atom (LAMMPS dump 'mol' and 'mass' columns), of the batch's first frame. */
  molecules?: Float64Array | null;
  masses?: Float64Array | null;
  images: Int32Array | null;
  unwrapped: boolean;
  periodic: boolean[];
}

export interface NativeSummary {
  format: string;
  frames: number;
  atoms: number;
  species: { label: string; count: number }[];
  firstBox: NativeBox | null;
  lastBox: NativeBox | null;
  boxVaries: boolean;
  firstStep: number;
  stepInterval: number;
  firstTime: number;
  timeInterval: number;
  hasIds: boolean;
  hasTypes: boolean;
  hasCharges: boolean;
  hasImages: boolean;
  declared: 'wrapped' | 'unwrapped' | 'unknown';
  wrapped: boolean;
  unwrapMethod: string;
  suspiciousMoves: number;
  firstSuspiciousFrame: number;
  lengthUnit: string;
  timeUnit: string;
  unitStyle: string;
}

export interface NativeSelection {
  format?: string;
  start?: number;
  stop?: number;
  stride?: number;
  unwrap?: boolean;
  /** Read overrides (lib/trajectory.ts ReadOverride). */
  allow?: string[];
}

export interface NativeTrajectoryHandle {
  readBatch(maxFrames: number): Promise<NativeBatch | null>;
  format(): string;
  /** Releases the reader now; later reads reject. */
  close(): void;
  unwrapReport(): { method: string; suspiciousMoves: number; firstSuspiciousFrame: number };
}

export interface NativeCancelToken {
  cancel(): void;
  readonly cancelled: boolean;
}

export interface NativeWriterFrame {
  positions: Float64Array;
  box?: Float64Array;
  origin?: Float64Array;
  step?: number;
  time?: number;
  types?: string[];
  charges?: Float64Array;
  ids?: Float64Array;
  images?: Int32Array;
  unwrapped?: boolean;
}

export interface NativeWriterHandle {
  write(frame: NativeWriterFrame): void;
  close(): void;
  /** Abandons the output: the temporary file is removed and the destination left untouched. */
  abort(): void;
}

export interface DeviceReport {
  builtWithCuda: boolean;
  gpus: { index: number; name: string; computeCapability: string; memoryGiB: number }[];
  note: string;
  /** C++ compiler of the core ("GCC 12.2.0"); nvcc of the kernels ('' without CUDA). */
  compiler: string;
  cudaCompiler: string;
  /** CUDA runtime linked in and the highest CUDA version the driver supports, 1000*major + 10*minor; 0: none. */
  cudaRuntimeVersion: number;
  cudaDriverVersion: number;
}

/** Sums of the transport correlator (native/include/ionfield/transport.hpp), block-major arrays. */
export interface NativeTransportSums {
  nspecies: number;
  lags: Float64Array; // lag grid in frames
  blockFrames: Float64Array; // frames per block
  frames: number;
  volumeSum: number;
  volumeFrames: number;
  origins: Float64Array; // [block][lag]
  msd: Float64Array; // [block][lag][species]
  cross: Float64Array; // [block][lag][pair a<=b]
  charge: Float64Array; // [block][lag]
}

export interface NativeTransportOptions {
  /** Species index (0-based) per atom, −1 to leave an atom out. */
  species: Int32Array;
  nspecies: number;
  /** Charge per atom (units of e). */
  charges: Float64Array;
  /** Centre-of-mass weight per atom (default equal). */
  weights?: Float64Array;
  /** Ring slots per level (default 32) and decimation factor between levels (default 2). */
  pointsPerLevel?: number;
  decimation?: number;
  maxLevels?: number;
  /** Longest lag in frames (default −1: no limit). */
  maxLag?: number;
  /** Blocks kept between targetBlocks and 2 × targetBlocks (default 16). */
  targetBlocks?: number;
  /** Shards: global index of the first frame fed, first frame whose pairs count, fixed block length (0: doubling). */
  firstFrame?: number;
  ownFrom?: number;
  blockLength?: number;
  removeCom?: boolean;
  /** OpenMP threads (default 0: all cores). */
  threads?: number;
}

export interface NativeTransportHandle {
  /** Frames in order; the arrays must stay untouched until the promise settles (zero copy). */
  addFrames(positions: Float64Array, volumes: Float64Array | null, frames: number): Promise<void>;
  partial(): NativeTransportSums;
  memoryBytes(): number;
}

/** Topology of native/include/ionfield/molecules.hpp: per atom its molecule, mass and charge. */
export interface NativeMoleculeTopology {
  molecule: Int32Array;
  masses: Float64Array;
  charges: Float64Array;
  /** Atom index pairs (0-based), both atoms in one molecule. */
  bonds: Int32Array;
  /** Per molecule, the atom standing for it instead of its centre of mass (−1: centre of mass). */
  centreAtoms?: Int32Array;
}

export interface NativeMoleculeCentresHandle {
  /**
   * Centres of mass of whole molecules (frames × nmol × 3) from continuous atom coordinates, and
   * the atomic charge moment Σ q_i r_i over the selected molecules (frames × 3); reach: the largest
   * atom-to-root distance seen (a check that molecules were made whole).
   */
  compute(positions: Float64Array, boxes: Float64Array | null, frames: number, periodic: boolean[], selected: Uint8Array | null): { centres: Float64Array; moments: Float64Array; reach: number };
  masses(): Float64Array;
  charges(): Float64Array;
}

/** Options of the analysis pair kernels: a batch of frames, arrays frame-major. */
export interface NativePairSumsOptions {
  positions: Float64Array; // frames * natoms * 3
  boxes: Float64Array; // frames * 9
  frames: number;
  natoms: number;
  species: Int32Array; // per atom, < 0: left out
  nspecies: number;
  values?: Float64Array; // frames * natoms
  rMax: number;
  bins: number;
}

// ---- kinosons (binding/kinosons.cc); the spec is built and validated by lib/kinosons/config.ts
export interface NativeEstimate {
  mean: number;
  error: number;
}

export interface NativeLatticeSpec {
  lattice: string;
  cells: number;
  shells?: number;
  model: { species: number; nu: number[]; e0: number[]; pair: number[] };
  temperature: number;
  counts: number[];
  seed: number;
  threads: number;
  kmc?: { steps: number; trajectories: number; equilibrationSweeps: number; exponentialTimes?: boolean; checkpoints?: number; windowFrom?: number; windowTo?: number; firstTrajectory?: number; runTrajectories?: number };
  study?: {
    target: 'collective' | number;
    sampling: 'all' | 'kmc';
    trainingStates: number;
    validationStates: number;
    chains: number;
    equilibrationSweeps: number;
    decorrelationSweeps: number;
    kinosonChannel: number;
    kinosons?: boolean;
    /** States read from files (states × sites, flat); validationChains: their chain count (0: independent). */
    trainingOccupancy?: Uint8Array;
    validationOccupancy?: Uint8Array;
    validationChains?: number;
    /** Only training states [firstState, lastState) of trainingStates (kinosonsSampleStates: a shard of generate). */
    firstState?: number;
    lastState?: number;
    /** kinosonsFitSums: the shard's accumulation lanes [firstLane, lastLane) of kinosonsFitLanes. */
    firstLane?: number;
    lastLane?: number;
    /** Merged fit shards: per model ("uncorrelated" first), every lane's sums; no training state is then sampled or read. */
    trainingSums?: NativeFitLane[][];
    models: NativeBasisSpec[];
    /** The bound tightened by short trajectories through the best linear model (absent: off). */
    tail?: { rounds: number; minRounds: number; tolerance: number; firstJumps: number };
  };
}

/** One accumulation lane of the quadratic functional (native QuadraticStats): A functions², B functions × channels, C channels². */
export interface NativeFitLane {
  functions: number;
  channels: number;
  states: number;
  transitions: number;
  norm: number;
  A: Float64Array;
  B: Float64Array;
  C: Float64Array;
  correctorSolves: number;
  correctorIterations: number;
  correctorSeconds: number;
}

/** kinosonsFitSums: one shard's training sums, per model ("uncorrelated" first), per lane [firstLane, lastLane). */
export interface NativeFitSums {
  sites: number;
  lanes: number;
  firstLane: number;
  lastLane: number;
  firstState: number;
  lastState: number;
  samplingSeconds: number;
  models: { name: string; accumulateSeconds: number; lanes: NativeFitLane[] }[];
}

export interface NativeBasisSpec {
  name: string;
  vacancyShells: number;
  speciesShells: number;
  pairFirstShells: number;
  pairSecondShells: number;
  /** Triplets: a vacancy (tracer) or atom (collective) within these shells and two atoms within the second. */
  tripletFirstShells?: number;
  tripletSecondShells?: number;
  residualBias: boolean;
  /** Equivariant gated network on top of the basis (tracer targets): hidden units (0 = linear only). */
  hidden?: number;
  epochs?: number;
  learningRate?: number;
  featureShells?: number;
  /** Equivariant site network (tracer and collective): hidden units per layer (0 = none), layers, shells. */
  networkHidden?: number;
  networkLayers?: number;
  networkShells?: number;
  /** Harmonic-corrector functions after the cluster basis: -1/absent none, 0 χ alone, k also the vacancy's harmonic offset in shells 1…k. */
  correctorShells?: number;
}

export interface NativeKmcResult {
  sites: number;
  trajectories: number;
  steps: number;
  seconds: number;
  tracer: NativeEstimate[];
  onsager: NativeEstimate[];
  correlation: NativeEstimate;
  /** The whole-trajectory estimator (|Δr|²/6t from the start); the fields above are MSD slopes. */
  wholeTracer: NativeEstimate[];
  wholeOnsager: NativeEstimate[];
  wholeCorrelation: NativeEstimate;
  /** Linearity check: tracer D over the first and second halves of the lag window, and late − early. */
  tracerEarly: NativeEstimate[];
  tracerLate: NativeEstimate[];
  tracerChange: NativeEstimate[];
  /** The linearity check of L_ab (S×S): late − early per trajectory. */
  onsagerChange: NativeEstimate[];
  /** The lag window per trajectory: [from, to] in jumps and in (mean) time. */
  windowJumps: Float64Array;
  windowTimes: Float64Array;
  times: Float64Array;
  tracerSums: Float64Array;
  collective: Float64Array;
  /** Per trajectory, the slope estimator's inputs: slopes (species; species²), halves (species), correlation. */
  slopeTracer: Float64Array;
  slopeCollective: Float64Array;
  slopeCollectiveEarly: Float64Array;
  slopeCollectiveLate: Float64Array;
  slopeEarly: Float64Array;
  slopeLate: Float64Array;
  slopeCorrelation: Float64Array;
  /** The slope window in checkpoint intervals: [from, to, intervals]. */
  windowLags: Float64Array;
}

/** The estimates of a KMC run, which kinosonsKmcEstimate recomputes from the per-trajectory arrays. */
export type NativeKmcEstimates = Pick<NativeKmcResult, 'tracer' | 'onsager' | 'correlation' | 'wholeTracer' | 'wholeOnsager' | 'wholeCorrelation' | 'tracerEarly' | 'tracerLate' | 'tracerChange' | 'onsagerChange' | 'windowJumps' | 'windowTimes'>;
/** The per-trajectory arrays of a KMC run (trajectory order), as plain arrays. */
export type NativeKmcTrajectories = Record<'times' | 'tracerSums' | 'collective' | 'slopeTracer' | 'slopeCollective' | 'slopeEarly' | 'slopeLate' | 'slopeCorrelation' | 'slopeCollectiveEarly' | 'slopeCollectiveLate' | 'windowLags', number[]>;

export interface FitProfile {
  /** Wall seconds accumulating the quadratic form over the training transitions, and the linear solve. */
  accumulateSeconds: number;
  solveSeconds: number;
  /** Harmonic-corrector solves during the accumulation, their CG iterations and thread-seconds. */
  correctorSolves: number;
  correctorIterations: number;
  correctorThreadSeconds: number;
}

export interface NativeStudyResult {
  sites: number;
  channels: number;
  trainingTransitions: number;
  validationTransitions: number;
  samplingSeconds: number;
  best: number;
  models: {
    name: string;
    functions: number;
    rank: number;
    residualCoefficients: Float64Array;
    training: Float64Array;
    validation: NativeEstimate[];
    fitSeconds: number;
    validationSeconds: number;
    /** Where the fit's time went (native/include/ionfield/kinosons.hpp ModelResult). */
    profile: FitProfile;
  }[];
  kinosons: { value: Float64Array; rate: Float64Array; state: Int32Array; species: Uint8Array; environment: Uint8Array };
  /** Block of each validation state for error bars (one swap-MC chain, or its parts, per block). */
  validationBlocks: Int32Array;
  tail?: NativeTail;
}

/** Short trajectories through y (native/include/ionfield/trajectory_tail.hpp): per checkpoint,
 *  channels² estimates of D(t) = MSD/t, of the MSD slope since the previous checkpoint and of the
 *  slope's drop, for z = x + y and for the plain displacement x. */
export interface NativeTail {
  model: string;
  firstJumps: number;
  seconds: number;
  converged: boolean;
  jumps: number;
  kmcThreadSeconds: number;
  relaxationThreadSeconds: number;
  correctorSolves: number;
  correctorIterations: number;
  times: Float64Array;
  zValue: NativeEstimate[][];
  xValue: NativeEstimate[][];
  zSlope: NativeEstimate[][];
  xSlope: NativeEstimate[][];
  zDrop: NativeEstimate[][];
}

export interface NativeExactCorrelation {
  f: number;
  states: number;
  sites: number;
  iterations: number;
  residual: number;
  infinite: number;
}

export interface NativeDescriptorFrames {
  positions: Float64Array; // frames * natoms * 3
  frames: number;
  natoms: number;
  boxes: Float64Array | null; // frames * 9 (NaN or null: open boundaries)
  origins?: Float64Array;
  periodic?: boolean[];
}

/** The arrays use the native result's memory (no copy); a postMessage transfer copies them. */
export interface NativeNeighborList {
  first: Int32Array;
  second: Int32Array;
  shifts: Int32Array;
  distances: Float64Array;
  vectors: Float64Array;
  seconds: number;
}

/** The network as the native trainer returns it (native/include/ionfield/nn.hpp, Model). */
export interface NativeNnModel {
  features: number[]; // input columns per species
  hidden: number[];
  activation: string; // tanh | softplus | shifted-softplus | silu
  params: Float64Array; // flat; layers[s][l] gives the offsets of W [in x out] and b [out]
  featureMean: Float64Array[];
  featureScale: Float64Array[];
  targetShift: number;
  targetScale: number;
  layers?: { in: number; out: number; w: number; b: number }[][];
}

/** One system for training: per species (model order) features [frames x ions x F] and λ [frames x ions]. */
export interface NativeNnSystem {
  name: string;
  frames: number;
  species: { ions: number; features: Float32Array; lambda: Float64Array }[];
}

/**
 * A training system whose arrays stay on disk: per species the .npy files and the byte offsets of
 * their data (headers checked by lib/model/dataset-files.ts); the trainer reads frames as needed.
 */
export interface NativeNnDiskSystem {
  name: string;
  frames: number;
  species: { ions: number; featuresFile: string; featuresOffset: number; lambdaFile: string; lambdaOffset: number }[];
}

export interface NativeEpochReport {
  epoch: number;
  epochs: number;
  trainLoss: number;
  valLoss: number | null;
  valLambdaRelError: number | null;
  improved: boolean;
}

export interface NativeTrainOptions {
  objective?: 'per-ion' | 'global';
  epochs?: number;
  batchFrames?: number;
  learningRate?: number;
  weightDecay?: number;
  patience?: number;
  seed?: number;
  threads?: number;
  checkpoint?: string;
}

export interface NativeTrainResult {
  model: NativeNnModel & { layers: { in: number; out: number; w: number; b: number }[][] };
  history: NativeEpochReport[];
  bestEpoch: number;
  stoppedEarly: boolean;
  resumedFromEpoch: number;
}

export interface NativeAddon {
  trainNetwork(
    arch: { features: number[]; hidden: number[]; activation: string },
    train: (NativeNnSystem | NativeNnDiskSystem)[],
    validation: (NativeNnSystem | NativeNnDiskSystem)[],
    options: NativeTrainOptions,
    onEpoch?: (report: NativeEpochReport) => void,
    cancel?: NativeCancelToken,
  ): Promise<NativeTrainResult>;
  nnPredict(model: NativeNnModel, species: number, features: Float32Array, rows: number): Float64Array;
  computeDescriptors(
    set: { nspecies: number; functions: Record<string, number>[] },
    frames: NativeDescriptorFrames,
    species: Int32Array,
    rows: Int32Array,
    options: { threads?: number; device?: string; precision?: 'float32' | 'float64'; separableG5?: boolean; shiftRecurrence?: boolean },
  ): Promise<Float32Array | Float64Array>;
  neighborList(
    frame: { positions: Float64Array; boxes: Float64Array | null; origins?: Float64Array; periodic?: boolean[] },
    options: { cutoff: number; full?: boolean; threads?: number; distances?: boolean; vectors?: boolean; device?: string },
  ): Promise<NativeNeighborList>;
  descriptorsGpu(): { available: boolean; reason: string };
  NativeVerlet: new (options: { cutoff: number; skin: number; full?: boolean; threads?: number }) => {
    update(frame: { positions: Float64Array; boxes: Float64Array | null; periodic?: boolean[] }): { pairs: number; rebuilt: boolean; seconds: number };
  };
  kinosonsExactCorrelation(lattice: string, cells: number): NativeExactCorrelation;
  /** The estimates of kinosonsKmc from per-trajectory sums in trajectory order (merging shards). */
  kinosonsKmcEstimate(spec: NativeLatticeSpec, perTrajectory: NativeKmcTrajectories): NativeKmcEstimates;
  kinosonsKmc(spec: NativeLatticeSpec, onProgress?: (done: number, total: number) => void, cancel?: NativeCancelToken): Promise<NativeKmcResult>;
  /** Equilibrium states (study.trainingStates of them): occupancy states × sites (255 = vacancy), positions in a/2. */
  kinosonsSampleStates(spec: NativeLatticeSpec, onProgress?: undefined, cancel?: NativeCancelToken): Promise<{ sites: number; states: number; occupancy: Uint8Array; positions: Int32Array }>;
  kinosonsStudy(spec: NativeLatticeSpec, onProgress?: (done: number, total: number) => void, cancel?: NativeCancelToken): Promise<NativeStudyResult>;
  /** One shard of a fit: the training sums of lanes [study.firstLane, study.lastLane) for every model. */
  kinosonsFitSums(spec: NativeLatticeSpec, onProgress?: (done: number, total: number) => void, cancel?: NativeCancelToken): Promise<NativeFitSums>;
  /** The fixed number of accumulation lanes of the variational fit (native kFunctionalLanes). */
  kinosonsFitLanes: number;
  NativeTrajectory: new (path: string, options?: NativeSelection) => NativeTrajectoryHandle;
  /** options.precision: XTC only, coordinates stored as round(x * precision) (default 1000). */
  NativeTrajectoryWriter: new (path: string, format?: string, options?: { precision?: number }) => NativeWriterHandle;
  scanTrajectory(path: string, options: NativeSelection, onProgress?: (frames: number) => void, cancel?: NativeCancelToken): Promise<NativeSummary>;
  /** The file's frame count by skipping frames (XTC headers, DCD seeks; text formats are read), frames not validated. */
  countFrames(path: string, options: NativeSelection, cancel?: NativeCancelToken): Promise<number>;
  /** A flag for one native call: cancel() makes its loops stop and the call reject (lib/abort.ts). */
  CancelToken: new () => NativeCancelToken;
  queryDevices(): DeviceReport;
  formats: string[];
  /** The format a file name implies ('' if none): extension after stripping .gz. */
  formatFromPath(path: string): string;
  NativeTransport: new (options: NativeTransportOptions) => NativeTransportHandle;
  NativeMoleculeCentres: new (topology: NativeMoleculeTopology) => NativeMoleculeCentresHandle;
  mergeTransportPartials(a: NativeTransportSums, b: NativeTransportSums): NativeTransportSums;
  /** The block length a single run over `frames` frames ends with (shards cut the same blocks). */
  transportBlockLength(frames: number, targetBlocks: number): number;
  /** λ_i(t0) = K N z_i Δr_i·J/τ for one origin (native/include/ionfield/dataset.hpp); lambdaSum compensated. */
  localConductivity(r0: Float64Array, r1: Float64Array, charges: Float64Array, K: number, tau: number): { lambda: Float64Array; j2: number; lambdaSum: number };
  localConductivityDifference(r0: Float64Array, ra: Float64Array, rb: Float64Array, charges: Float64Array, K: number, tauA: number, tauB: number): { lambda: Float64Array; j2: number; lambdaSum: number };
  /** Ordered-pair counts and value products per [frame][a][b][bin] (native/include/ionfield/analysis.hpp). */
  pairSums(options: NativePairSumsOptions): Promise<{ counts: Float64Array; products: Float64Array | null }>;
  /** Per [frame][atom]: the lowest atom index of its cluster of opposite-charge contacts, and its counter-ions within the cutoff. */
  contactClusters(options: { positions: Float64Array; boxes: Float64Array; frames: number; natoms: number; charges: Float64Array; cutoff: number }): Promise<{ labels: Int32Array; counterIons: Int32Array }>;
}

let cached: NativeAddon | undefined;

export function native(): NativeAddon {
  cached ??= loadAddon() as NativeAddon;
  return cached;
}
