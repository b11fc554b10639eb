/**
 * The inner loops of scoring: y[0 .. n) += a * x[base .. base + n), unrolled by four, which V8 runs about 1.5-2x
 * faster than the plain loop. Two copies, one per accumulator type, on purpose: one function taking
 * `Float32Array | Float64Array` sees both types and V8 runs it 1.5-1.7x slower (measured on the network's
 * and the SVM's row sizes, 128 and 77).
 *
 * @example
 * const y = new Float64Array(3);
 * axpy64(y, Float32Array.from([0, 0, 1, 2, 3]), 2, 0.5, 3); // y = [0.5, 1, 1.5]
 */
export function axpy64(y: Float64Array, x: Float32Array, base: number, a: number, n: number): void {
  let j = 0;
  for (; j + 3 < n; j += 4) {
    y[j]! += x[base + j]! * a;
    y[j + 1]! += x[base + j + 1]! * a;
    y[j + 2]! += x[base + j + 2]! * a;
    y[j + 3]! += x[base + j + 3]! * a;
  }
  for (; j < n; j++) y[j]! += x[base + j]! * a;
}

/** axpy64 with a float32 accumulator (the network's hidden layer: precise enough, and faster). */
export function axpy32(y: Float32Array, x: Float32Array, base: number, a: number, n: number): void {
  let j = 0;
  for (; j + 3 < n; j += 4) {
    y[j]! += x[base + j]! * a;
    y[j + 1]! += x[base + j + 1]! * a;
    y[j + 2]! += x[base + j + 2]! * a;
    y[j + 3]! += x[base + j + 3]! * a;
  }
  for (; j < n; j++) y[j]! += x[base + j]! * a;
}
