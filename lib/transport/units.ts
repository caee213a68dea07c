// Unit systems a trajectory can come in, and the SI constants that turn Einstein–Helfand slopes
// into conductivities. LAMMPS `lj` stays in reduced units (k_B = 1, unit charge): no SI there.

/** CODATA 2018 exact values. */
export const ELEMENTARY_CHARGE = 1.602176634e-19; // C
export const BOLTZMANN = 1.380649e-23; // J/K
export const AVOGADRO = 6.02214076e23; // 1/mol

export type UnitStyle = 'lj' | 'real' | 'metal' | 'gromacs';

export interface UnitSystem {
  style: UnitStyle;
  /** Names of the input's length, time and temperature units. */
  length: string;
  time: string;
  temperature: string;
  /** Metres per length unit and seconds per time unit; null in reduced (lj) units. */
  lengthSI: number | null;
  timeSI: number | null;
  /** Printed in reports. */
  description: string;
}

export const UNIT_SYSTEMS: Record<UnitStyle, UnitSystem> = {
  lj: { style: 'lj', length: 'sigma', time: 'tau', temperature: 'epsilon/k_B', lengthSI: null, timeSI: null, description: 'LAMMPS lj (reduced: k_B = 1, charges in units of e)' },
  real: { style: 'real', length: 'Å', time: 'fs', temperature: 'K', lengthSI: 1e-10, timeSI: 1e-15, description: 'LAMMPS real (Å, fs, K)' },
  metal: { style: 'metal', length: 'Å', time: 'ps', temperature: 'K', lengthSI: 1e-10, timeSI: 1e-12, description: 'LAMMPS metal (Å, ps, K)' },
  gromacs: { style: 'gromacs', length: 'nm', time: 'ps', temperature: 'K', lengthSI: 1e-9, timeSI: 1e-12, description: 'GROMACS (nm, ps, K)' },
};

export function unitSystem(name: string): UnitSystem {
  const key = name.toLowerCase() === 'nm' || name.toLowerCase() === 'gmx' ? 'gromacs' : name.toLowerCase();
  const u = (UNIT_SYSTEMS as Record<string, UnitSystem>)[key];
  if (!u) throw new TypeError(`unknown unit style '${name}' (expected lj, real, metal or gromacs)`);
  return u;
}

/** The natural unit style of a trajectory format, when the user gives none. */
export function defaultUnitStyle(format: string): UnitStyle | null {
  if (format === 'xtc' || format === 'trr' || format === 'gro') return 'gromacs';
  return null;
}

/**
 * The unit string of a molar conductivity Λ (transport's Λ and Λ_NE, predict's Λ_ML and λ̂): one
 * string per quantity across commands. Real-unit styles report S cm^2/mol (transport converts);
 * lj stays reduced.
 */
export function molarConductivityUnits(style: string): string {
  return style === 'lj' ? 'lj reduced: sigma^2 q*^2/(epsilon tau) per formula unit (Λ = σ/(n_f/V))' : 'S cm^2/mol';
}
