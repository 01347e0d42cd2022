// Merchants drawn by a Zipf law whose exponent is solved so that the top 1% of merchants take half
// of the payments, as the spec's Double-11 scenario says.

function weights(n: number, exponent: number): number[] {
  return Array.from({ length: n }, (_, rank) => 1 / (rank + 1) ** exponent);
}

function topShare(n: number, top: number, exponent: number): number {
  const w = weights(n, exponent);
  const total = w.reduce((a, b) => a + b, 0);
  return w.slice(0, top).reduce((a, b) => a + b, 0) / total;
}

/** The exponent at which the `top` first ranks of `n` take `share` of the draws (bisection). */
export function exponentForTopShare(n: number, top: number, share: number): number {
  let low = 0;
  let high = 10;
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    if (topShare(n, top, mid) < share) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/** A sampler of ranks 0..n-1, rank 0 the most drawn, from a uniform random source in [0, 1). */
export function zipfSampler(n: number, exponent: number, random: () => number = Math.random): () => number {
  const w = weights(n, exponent);
  const total = w.reduce((a, b) => a + b, 0);
  const cdf = new Float64Array(n);
  let running = 0;
  for (let i = 0; i < n; i++) {
    running += w[i] / total;
    cdf[i] = running;
  }
  return () => {
    const u = random();
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cdf[mid] < u) low = mid + 1;
      else high = mid;
    }
    return low;
  };
}
