// A kinoson configuration for tests: a random binary FCC 3³ alloy, A fast (ν = 1), B slow.
export function binaryAlloy(fractionB: number, ratio: number, seed: number, extra: Record<string, unknown> = {}) {
  return {
    lattice: 'fcc',
    supercell: 3,
    seed,
    species: [
      { name: 'A', fraction: 1 - fractionB, nu: 1, e0: 0 },
      { name: 'B', fraction: fractionB, nu: ratio, e0: 0 },
    ],
    ...extra,
  };
}
