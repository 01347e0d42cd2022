// L2-regularised logistic regression fitted by Newton's method (iteratively reweighted least squares).
// With a handful of WoE inputs the Hessian is tiny, so every step is an exact solve and the fit is
// deterministic: the same rows give the same coefficients, bit for bit.

export interface LogisticFit {
  readonly intercept: number;
  readonly coefficients: number[];
  readonly iterations: number;
}

export interface LogisticOptions {
  /** Penalty on the squared coefficients (never on the intercept). */
  readonly l2: number;
  readonly maxIterations: number;
  readonly tolerance: number;
}

export const DEFAULT_LOGISTIC: LogisticOptions = { l2: 1, maxIterations: 50, tolerance: 1e-10 };

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Fits P(y = 1) = sigmoid(b0 + b . x) to rows x with labels y in {0, 1}. */
export function fitLogistic(x: readonly (readonly number[])[], y: readonly number[], options: LogisticOptions = DEFAULT_LOGISTIC): LogisticFit {
  const k = (x[0]?.length ?? 0) + 1;
  let beta = new Array<number>(k).fill(0);
  for (let iteration = 1; iteration <= options.maxIterations; iteration++) {
    const { gradient, hessian } = penalisedDerivatives(x, y, beta, options.l2);
    const step = solve(hessian, gradient);
    beta = beta.map((b, i) => b - step[i]);
    if (Math.max(...step.map(Math.abs)) < options.tolerance) return { intercept: beta[0], coefficients: beta.slice(1), iterations: iteration };
  }
  return { intercept: beta[0], coefficients: beta.slice(1), iterations: options.maxIterations };
}

/** Gradient and Hessian of the negative penalised log-likelihood. */
function penalisedDerivatives(x: readonly (readonly number[])[], y: readonly number[], beta: readonly number[], l2: number) {
  const k = beta.length;
  const gradient = new Array<number>(k).fill(0);
  const hessian = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  x.forEach((row, n) => {
    const features = [1, ...row];
    const p = sigmoid(features.reduce((sum, v, i) => sum + v * beta[i], 0));
    const weight = p * (1 - p);
    for (let i = 0; i < k; i++) {
      gradient[i] += (p - y[n]) * features[i];
      for (let j = 0; j < k; j++) hessian[i][j] += weight * features[i] * features[j];
    }
  });
  for (let i = 1; i < k; i++) {
    gradient[i] += l2 * beta[i];
    hessian[i][i] += l2;
  }
  return { gradient, hessian };
}

/** Solves A s = b by Gaussian elimination with partial pivoting (A is small and positive definite). */
export function solve(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    const diagonal = m[col][col] === 0 ? 1e-12 : m[col][col];
    for (let r = col + 1; r < n; r++) {
      const f = m[r][col] / diagonal;
      for (let c = col; c <= n; c++) m[r][c] -= f * m[col][c];
    }
  }
  const s = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let sum = m[r][n];
    for (let c = r + 1; c < n; c++) sum -= m[r][c] * s[c];
    s[r] = sum / (m[r][r] === 0 ? 1e-12 : m[r][r]);
  }
  return s;
}
