/*
 * gradflow's WebAssembly SIMD elementwise kernels for float32, and the finiteness check for both dtypes (linked
 * into the same module as gemm.c and adam.c).
 *
 * Every kernel works in place on arrays that core/backend_wasm.ts has copied into this module's memory (or
 * only reads them, as the finiteness check), four lanes at a time (f32x4), then one element at a time for the
 * tail, with the same operation. The results are jsBackend's (core/backend.ts) bit for bit:
 *
 * - The JS loops compute in double and round once when they store to a Float32Array. For one +, −, ×, ÷
 *   or √ of float32 operands that equals the float32 operation (double carries more than 2·24 + 2 bits, so
 *   the double rounding is innocuous), so f32x4.add/sub/mul/div/sqrt give the same bits.
 * - neg, abs, relu and step only move or clear bits, written to reproduce the JS expressions exactly,
 *   NaN and signed zeros included (see relu4 and step4); ReLU's VJP multiplies by step's 1 or 0, as the JS
 *   kernel does (exact in float32 as in double).
 * - Sums accumulate in double (f64x2, the float32 lanes promoted exactly) in the JS kernel's order,
 *   and the caller rounds each to float32 once, as the JS kernel does.
 *
 * Built with -ffp-contract=off and without relaxed SIMD, so the relaxed build of the module carries the
 * same code. Scratch layout and chunking are the caller's: pointers are byte offsets into this memory.
 */

#include <wasm_simd128.h>

typedef int i32;

#define EXPORT(name) __attribute__((export_name(name)))
/* Before the tail loops (at most three elements): clang would otherwise vectorize and unroll them too. */
#define TAIL _Pragma("clang loop vectorize(disable) unroll(disable)")

/* ---------------------------------------------------------------- the operations: four lanes and one */

/* relu, as the JS kernel `v > 0 ? v : (v === v ? 0 : v)`: keep v unless v ≤ 0 (never true for NaN), else +0. */
static inline v128_t relu4(v128_t v) { return wasm_v128_andnot(v, wasm_f32x4_le(v, wasm_f32x4_splat(0.0f))); }
static inline float relu1(float v) { return v <= 0.0f ? 0.0f : v; }

/* step, as `v > 0 ? 1 : 0` (0 for NaN): the all-ones mask of v > 0 keeps the bits of 1.0f. */
static inline v128_t step4(v128_t v) {
  return wasm_v128_and(wasm_f32x4_gt(v, wasm_f32x4_splat(0.0f)), wasm_f32x4_splat(1.0f));
}
static inline float step1(float v) { return v > 0.0f ? 1.0f : 0.0f; }

/* neg and abs flip or clear the sign bit, as JS's -v and Math.abs (NaN stays NaN). */
static inline v128_t neg4(v128_t v) { return wasm_f32x4_neg(v); }
static inline float neg1(float v) { return -v; }
static inline v128_t abs4(v128_t v) { return wasm_f32x4_abs(v); }
static inline float abs1(float v) { return __builtin_fabsf(v); }
static inline v128_t square4(v128_t v) { return wasm_f32x4_mul(v, v); }
static inline float square1(float v) { return v * v; }
static inline v128_t sqrt4(v128_t v) { return wasm_f32x4_sqrt(v); }
static inline float sqrt1(float v) { return __builtin_sqrtf(v); }

static inline v128_t add4(v128_t a, v128_t b) { return wasm_f32x4_add(a, b); }
static inline float add1(float a, float b) { return a + b; }
static inline v128_t sub4(v128_t a, v128_t b) { return wasm_f32x4_sub(a, b); }
static inline float sub1(float a, float b) { return a - b; }
static inline v128_t mul4(v128_t a, v128_t b) { return wasm_f32x4_mul(a, b); }
static inline float mul1(float a, float b) { return a * b; }
static inline v128_t div4(v128_t a, v128_t b) { return wasm_f32x4_div(a, b); }
static inline float div1(float a, float b) { return a / b; }
/*
 * ReLU's VJP of Backend.reluBackward, as the JS kernel `g * (x > 0 ? 1 : 0)`: g times the bits of step(x), so
 * g where x > 0, else g·0 (a zero of g's sign, NaN for an infinite or NaN g), as one float32 multiplication.
 */
static inline v128_t relu_backward4(v128_t g, v128_t x) { return wasm_f32x4_mul(g, step4(x)); }
static inline float relu_backward1(float g, float x) { return g * step1(x); }
/* The fused bias + ReLU of Backend.biasActivation: the sum rounded to float32, then relu. */
static inline v128_t add_relu4(v128_t a, v128_t b) { return relu4(wasm_f32x4_add(a, b)); }
static inline float add_relu1(float a, float b) { return relu1(a + b); }

/* ---------------------------------------------------------------- the loops */

/* NAME_f32(x, n): x[i] = NAME(x[i]) for i < n. */
#define UNARY(NAME)                                                                    \
  EXPORT(#NAME "_f32") void NAME##_f32(float *x, i32 n) {                              \
    i32 i = 0;                                                                         \
    for (; i + 4 <= n; i += 4) wasm_v128_store(x + i, NAME##4(wasm_v128_load(x + i))); \
    TAIL for (; i < n; i++) x[i] = NAME##1(x[i]);                                      \
  }

/*
 * The row broadcasts of a binary operation OP, over a rows×cols matrix and a row of cols:
 *   OP_rows_f32(a, b, rows, cols)       a[r, c] = a[r, c] OP b[c]
 *   OP_rows_left_f32(a, b, rows, cols)  b[r, c] = a[c] OP b[r, c]
 */
#define ROWS(OP)                                                                                       \
  EXPORT(#OP "_rows_f32") void OP##_rows_f32(float *a, const float *b, i32 rows, i32 cols) {           \
    for (i32 r = 0; r < rows; r++, a += cols) {                                                        \
      i32 c = 0;                                                                                       \
      for (; c + 4 <= cols; c += 4)                                                                    \
        wasm_v128_store(a + c, OP##4(wasm_v128_load(a + c), wasm_v128_load(b + c)));                   \
      TAIL for (; c < cols; c++) a[c] = OP##1(a[c], b[c]);                                             \
    }                                                                                                  \
  }                                                                                                    \
  EXPORT(#OP "_rows_left_f32") void OP##_rows_left_f32(const float *a, float *b, i32 rows, i32 cols) { \
    for (i32 r = 0; r < rows; r++, b += cols) {                                                        \
      i32 c = 0;                                                                                       \
      for (; c + 4 <= cols; c += 4)                                                                    \
        wasm_v128_store(b + c, OP##4(wasm_v128_load(a + c), wasm_v128_load(b + c)));                   \
      TAIL for (; c < cols; c++) b[c] = OP##1(a[c], b[c]);                                             \
    }                                                                                                  \
  }

/*
 * A binary operation OP on the three contiguous shapes of jsBackend.binary, and its row broadcasts:
 *   OP_f32(a, b, n)              a[i] = a[i] OP b[i]
 *   OP_scalar_f32(a, y, n)       a[i] = a[i] OP y
 *   OP_scalar_left_f32(x, b, n)  b[i] = x OP b[i]
 */
#define BINARY(OP)                                                                                          \
  EXPORT(#OP "_f32") void OP##_f32(float *a, const float *b, i32 n) {                                       \
    i32 i = 0;                                                                                              \
    for (; i + 4 <= n; i += 4) wasm_v128_store(a + i, OP##4(wasm_v128_load(a + i), wasm_v128_load(b + i))); \
    TAIL for (; i < n; i++) a[i] = OP##1(a[i], b[i]);                                                       \
  }                                                                                                         \
  EXPORT(#OP "_scalar_f32") void OP##_scalar_f32(float *a, float y, i32 n) {                                \
    v128_t y4 = wasm_f32x4_splat(y);                                                                        \
    i32 i = 0;                                                                                              \
    for (; i + 4 <= n; i += 4) wasm_v128_store(a + i, OP##4(wasm_v128_load(a + i), y4));                    \
    TAIL for (; i < n; i++) a[i] = OP##1(a[i], y);                                                          \
  }                                                                                                         \
  EXPORT(#OP "_scalar_left_f32") void OP##_scalar_left_f32(float x, float *b, i32 n) {                      \
    v128_t x4 = wasm_f32x4_splat(x);                                                                        \
    i32 i = 0;                                                                                              \
    for (; i + 4 <= n; i += 4) wasm_v128_store(b + i, OP##4(x4, wasm_v128_load(b + i)));                    \
    TAIL for (; i < n; i++) b[i] = OP##1(x, b[i]);                                                          \
  }                                                                                                         \
  ROWS(OP)

UNARY(relu)
UNARY(step)
UNARY(neg)
UNARY(abs)
UNARY(square)
UNARY(sqrt)
BINARY(add)
BINARY(sub)
BINARY(mul)
BINARY(div)
ROWS(add_relu) /* add_relu_rows_f32 is the fused bias + ReLU */

/* relu_backward_f32(g, x, n): g[i] = relu_backward(g[i], x[i]), ReLU's VJP in place of the cotangent. */
EXPORT("relu_backward_f32") void relu_backward_f32(float *g, const float *x, i32 n) {
  i32 i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(g + i, relu_backward4(wasm_v128_load(g + i), wasm_v128_load(x + i)));
  TAIL for (; i < n; i++) g[i] = relu_backward1(g[i], x[i]);
}

/* ---------------------------------------------------------------- finiteness */

/*
 * all_finite_f32(x, n) and all_finite_f64(x, n): 1 when no x[i] is NaN or infinite, else 0, as jsBackend's
 * allFinite. An element is not finite exactly when its exponent bits are all ones, that is when its magnitude
 * bits (the sign cleared), read as an unsigned integer, are at least those of infinity: the largest magnitude
 * is kept per lane (integer max, four independent accumulators) and compared once at the end.
 * A float64's exponent lies in the upper 32 bits of its lane, so those are compared and the lower 32 cleared.
 */
EXPORT("all_finite_f32") i32 all_finite_f32(const float *x, i32 n) {
  const v128_t magnitude = wasm_i32x4_splat(0x7fffffff);
  v128_t top0 = wasm_i32x4_splat(0), top1 = top0, top2 = top0, top3 = top0;
  i32 i = 0;
  for (; i + 16 <= n; i += 16) {
    top0 = wasm_u32x4_max(top0, wasm_v128_and(wasm_v128_load(x + i), magnitude));
    top1 = wasm_u32x4_max(top1, wasm_v128_and(wasm_v128_load(x + i + 4), magnitude));
    top2 = wasm_u32x4_max(top2, wasm_v128_and(wasm_v128_load(x + i + 8), magnitude));
    top3 = wasm_u32x4_max(top3, wasm_v128_and(wasm_v128_load(x + i + 12), magnitude));
  }
  for (; i + 4 <= n; i += 4) top0 = wasm_u32x4_max(top0, wasm_v128_and(wasm_v128_load(x + i), magnitude));
  v128_t top = wasm_u32x4_max(wasm_u32x4_max(top0, top1), wasm_u32x4_max(top2, top3));
  if (wasm_v128_any_true(wasm_u32x4_ge(top, wasm_i32x4_splat(0x7f800000)))) return 0;
  TAIL for (; i < n; i++) if (x[i] - x[i] != 0.0f) return 0;
  return 1;
}

EXPORT("all_finite_f64") i32 all_finite_f64(const double *x, i32 n) {
  const v128_t magnitude = wasm_i32x4_make(0, 0x7fffffff, 0, 0x7fffffff);
  v128_t top0 = wasm_i32x4_splat(0), top1 = top0, top2 = top0, top3 = top0;
  i32 i = 0;
  for (; i + 8 <= n; i += 8) {
    top0 = wasm_u32x4_max(top0, wasm_v128_and(wasm_v128_load(x + i), magnitude));
    top1 = wasm_u32x4_max(top1, wasm_v128_and(wasm_v128_load(x + i + 2), magnitude));
    top2 = wasm_u32x4_max(top2, wasm_v128_and(wasm_v128_load(x + i + 4), magnitude));
    top3 = wasm_u32x4_max(top3, wasm_v128_and(wasm_v128_load(x + i + 6), magnitude));
  }
  for (; i + 2 <= n; i += 2) top0 = wasm_u32x4_max(top0, wasm_v128_and(wasm_v128_load(x + i), magnitude));
  v128_t top = wasm_u32x4_max(wasm_u32x4_max(top0, top1), wasm_u32x4_max(top2, top3));
  if (wasm_v128_any_true(wasm_u32x4_ge(top, wasm_i32x4_splat(0x7ff00000)))) return 0;
  TAIL for (; i < n; i++) if (x[i] - x[i] != 0.0) return 0;
  return 1;
}

/* ---------------------------------------------------------------- pooling */

/* One tap of a max-pooling window, as the JS kernel's `if (v > best || v !== v) best = v, at = index`. */
static inline void max_tap4(v128_t v, v128_t index, v128_t *best, v128_t *at) {
  v128_t take = wasm_v128_or(wasm_f32x4_gt(v, *best), wasm_f32x4_ne(v, v));
  *best = wasm_v128_bitselect(v, *best, take);
  *at = wasm_v128_bitselect(index, *at, take);
}

/*
 * Four outputs of 2×2 max pooling, (oh, ow) to (oh, ow + 3): the even and odd columns of the window's two input
 * rows (`top`, the row below `width` further) split into four tap vectors, taken in the JS kernel's order.
 */
static inline void max_pool4(const float *top, i32 width, i32 index, float *out, i32 *indices) {
  v128_t t0 = wasm_v128_load(top), t1 = wasm_v128_load(top + 4);
  v128_t b0 = wasm_v128_load(top + width), b1 = wasm_v128_load(top + width + 4);
  v128_t best = wasm_i32x4_shuffle(t0, t1, 0, 2, 4, 6), right = wasm_i32x4_shuffle(t0, t1, 1, 3, 5, 7);
  v128_t below = wasm_i32x4_shuffle(b0, b1, 0, 2, 4, 6), diagonal = wasm_i32x4_shuffle(b0, b1, 1, 3, 5, 7);
  const v128_t one = wasm_i32x4_splat(1);
  const v128_t left = wasm_i32x4_add(wasm_i32x4_splat(index), wasm_i32x4_make(0, 2, 4, 6));
  const v128_t under = wasm_i32x4_add(left, wasm_i32x4_splat(width));
  v128_t at = left;
  max_tap4(right, wasm_i32x4_add(left, one), &best, &at);
  max_tap4(below, under, &best, &at);
  max_tap4(diagonal, wasm_i32x4_add(under, one), &best, &at);
  wasm_v128_store(out, best);
  wasm_v128_store(indices, at);
}

/*
 * max_pool_2x2_f32(x, out, indices, planes, height, width, out_height, out_width, first): 2×2 max pooling with
 * stride 2 and no padding over `planes` planes of height×width (jsBackend's fast path of maxPool2d, in its
 * order): out[p, oh, ow] is the largest of the taps (2oh, 2ow), (2oh, 2ow + 1), (2oh + 1, 2ow),
 * (2oh + 1, 2ow + 1), taken in that order, a later tap replacing the best so far when it is larger or NaN;
 * indices[p, oh, ow] is that tap's flat index in the whole input, whose first plane here starts at index
 * `first`. Four outputs at a time; a row whose width is not a multiple of four ends with the four last
 * outputs (recomputing some, with the same result), and rows narrower than four run one output at a time.
 */
EXPORT("max_pool_2x2_f32")
void max_pool_2x2_f32(const float *x, float *out, i32 *indices, i32 planes, i32 height, i32 width, i32 out_height,
                      i32 out_width, i32 first) {
  for (i32 p = 0; p < planes; p++) {
    for (i32 oh = 0; oh < out_height; oh++) {
      const i32 row = p * height * width + 2 * oh * width;
      float *o = out + (p * out_height + oh) * out_width;
      i32 *at_out = indices + (p * out_height + oh) * out_width;
      if (out_width >= 4) {
        for (i32 ow = 0; ow < out_width; ow += 4) {
          const i32 start = ow + 4 <= out_width ? ow : out_width - 4;
          max_pool4(x + row + 2 * start, width, first + row + 2 * start, o + start, at_out + start);
        }
        continue;
      }
      TAIL for (i32 ow = 0; ow < out_width; ow++) {
        const i32 r = row + 2 * ow;
        float best = x[r], b = x[r + 1], c = x[r + width], d = x[r + width + 1];
        i32 at = r;
        if (b > best || b != b) best = b, at = r + 1;
        if (c > best || c != c) best = c, at = r + width;
        if (d > best || d != d) best = d, at = r + width + 1;
        o[ow] = best;
        at_out[ow] = first + at;
      }
    }
  }
}

/* ---------------------------------------------------------------- sums */

/*
 * sum_columns_f32(x, acc, rows, cols): acc[j] += x[k, j] for k = 0, 1, …, rows − 1 in turn, in double: the
 * order of jsBackend's column sums (`acc[j] += x[k][j]`). Two f64x2 accumulators per four columns, the
 * float32 lanes promoted (exactly); the caller zeroes acc and rounds it to float32 once at the end.
 */
EXPORT("sum_columns_f32") void sum_columns_f32(const float *x, double *acc, i32 rows, i32 cols) {
  for (i32 k = 0; k < rows; k++, x += cols) {
    i32 j = 0;
    for (; j + 4 <= cols; j += 4) {
      v128_t v = wasm_v128_load(x + j);
      v128_t low = wasm_f64x2_promote_low_f32x4(v), high = wasm_f64x2_promote_low_f32x4(wasm_i64x2_shuffle(v, v, 1, 1));
      wasm_v128_store(acc + j, wasm_f64x2_add(wasm_v128_load(acc + j), low));
      wasm_v128_store(acc + j + 2, wasm_f64x2_add(wasm_v128_load(acc + j + 2), high));
    }
    TAIL for (; j < cols; j++) acc[j] += (double)x[j];
  }
}
