// Loads the compiled addon (build/Release/ionfield.node) and types what it exports.
// Only this file knows the addon exists; the rest of lib/ imports the typed handles below.
import * as fs from 'node:fs';
import * as path from 'node:path';

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
}

export interface NativeTrajectoryHandle {
  readBatch(maxFrames: number): Promise<NativeBatch | null>;
  format(): string;
  unwrapReport(): { method: string; suspiciousMoves: number; firstSuspiciousFrame: number };
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
  kmc?: { steps: number; trajectories: number; equilibrationSweeps: number; exponentialTimes?: boolean };
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
    models: NativeBasisSpec[];
  };
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
}

export interface NativeKmcResult {
  sites: number;
  trajectories: number;
  steps: number;
  seconds: number;
  tracer: NativeEstimate[];
  onsager: NativeEstimate[];
  correlation: NativeEstimate;
  times: Float64Array;
  tracerSums: Float64Array;
  collective: Float64Array;
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
  }[];
  kinosons: { value: Float64Array; rate: Float64Array; state: Int32Array; species: Uint8Array; environment: Uint8Array };
  /** Block of each validation state for error bars (one swap-MC chain, or its parts, per block). */
  validationBlocks: Int32Array;
}

export interface NativeExactCorrelation {
  f: number;
  states: number;
  sites: number;
  iterations: number;
  residual: number;
  infinite: number;
}

export interface NativeAddon {
  kinosonsExactCorrelation(lattice: string, cells: number): NativeExactCorrelation;
  kinosonsKmc(spec: NativeLatticeSpec, onProgress?: (done: number, total: number) => void): Promise<NativeKmcResult>;
  /** Equilibrium states (study.trainingStates of them): occupancy states × sites (255 = vacancy), positions in a/2. */
  kinosonsSampleStates(spec: NativeLatticeSpec): Promise<{ sites: number; states: number; occupancy: Uint8Array; positions: Int32Array }>;
  kinosonsStudy(spec: NativeLatticeSpec, onProgress?: (done: number, total: number) => void): Promise<NativeStudyResult>;
  NativeTrajectory: new (path: string, options?: NativeSelection) => NativeTrajectoryHandle;
  /** options.precision: XTC only, coordinates stored as round(x * precision) (default 1000). */
  NativeTrajectoryWriter: new (path: string, format?: string, options?: { precision?: number }) => NativeWriterHandle;
  scanTrajectory(path: string, options: NativeSelection, onProgress?: (frames: number) => void): Promise<NativeSummary>;
  queryDevices(): DeviceReport;
  formats: string[];
  /** The format a file name implies ('' if none): extension after stripping .gz. */
  formatFromPath(path: string): string;
  NativeTransport: new (options: NativeTransportOptions) => NativeTransportHandle;
  mergeTransportPartials(a: NativeTransportSums, b: NativeTransportSums): NativeTransportSums;
}

/** The package root: the nearest folder above this file that holds package.json. */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'CMakeLists.txt'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`ionfield: cannot find the package root above ${__dirname}`);
    dir = up;
  }
}

let cached: NativeAddon | undefined;

export function native(): NativeAddon {
  if (cached) return cached;
  const root = packageRoot();
  const candidates = [process.env.IONFIELD_ADDON, path.join(root, process.env.IONFIELD_BUILD_DIR ?? 'build', 'Release', 'ionfield.node')]
    .filter((p): p is string => typeof p === 'string' && p.length > 0);
  for (const candidate of candidates) {
    if (fs.existsSync(candidate)) {
      cached = require(candidate) as NativeAddon;
      return cached;
    }
  }
  throw new Error(`ionfield: the native addon is not built (looked for ${candidates.join(', ')}); run 'npm run build:native'`);
}
