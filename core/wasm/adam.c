/*
 * gradflow's WebAssembly SIMD Adam step for float32 (linked into the same module as gemm.c).
 *
 * One pass over n elements, in place: m becomes m', v becomes v', and g
 * becomes the update u (or p becomes p + u, below). Per element, each
 * operation rounded to float32, in PyTorch's order (the contract of
 * Backend.adamStep in core/backend.ts):
 *
 *   m' = m + w1·(g − m)
 *   v' = (v·β2) + ((w2·g)·g)
 *   d  = (√v' / bc) + ε
 *   u  = (negStep·m') / d
 *
 * Built with -ffp-contract=off, and nothing here uses relaxed SIMD, so the
 * relaxed build of the module carries the same code: the results are the
 * JS kernel's bit for bit (IEEE +, −, ×, ÷, √ are correctly rounded in both).
 * Lanes are independent, so the scalar tail computes what a vector lane would.
 */

#include <wasm_simd128.h>

typedef int i32;

typedef struct {
  v128_t w1, b2, w2, bc, eps, neg_step;
} adam_scalars;

/* One f32x4 lane group: m and v are stepped in place, the update u is returned. */
static inline v128_t adam_lanes(float *m, float *v, v128_t g, const adam_scalars *s) {
  v128_t mi = wasm_v128_load(m), vi = wasm_v128_load(v);
  v128_t m1 = wasm_f32x4_add(mi, wasm_f32x4_mul(s->w1, wasm_f32x4_sub(g, mi)));
  v128_t v1 = wasm_f32x4_add(wasm_f32x4_mul(vi, s->b2), wasm_f32x4_mul(wasm_f32x4_mul(s->w2, g), g));
  v128_t d = wasm_f32x4_add(wasm_f32x4_div(wasm_f32x4_sqrt(v1), s->bc), s->eps);
  wasm_v128_store(m, m1);
  wasm_v128_store(v, v1);
  return wasm_f32x4_div(wasm_f32x4_mul(s->neg_step, m1), d);
}

/* The same for one element (the tail), with the same operations. */
static inline float adam_one(float *m, float *v, float g, float w1, float b2, float w2, float bc, float eps,
                             float neg_step) {
  float m1 = *m + w1 * (g - *m);
  float v1 = *v * b2 + (w2 * g) * g;
  float d = __builtin_sqrtf(v1) / bc + eps;
  *m = m1;
  *v = v1;
  return (neg_step * m1) / d;
}

/*
 * adam_f32(g, m, v, p, n, w1, β2, w2, bc, ε, −stepSize). With p == 0, g
 * becomes the update u. Otherwise g is left alone and p becomes p + u, the new
 * parameter, rounded once more (PyTorch's `param.addcdiv_`): a step that
 * applies its own update in one pass.
 */
__attribute__((export_name("adam_f32"))) void adam_f32(float *g, float *m, float *v, float *p, i32 n, float w1,
                                                        float b2, float w2, float bc, float eps, float neg_step) {
  const adam_scalars s = {wasm_f32x4_splat(w1), wasm_f32x4_splat(b2),  wasm_f32x4_splat(w2),
                          wasm_f32x4_splat(bc), wasm_f32x4_splat(eps), wasm_f32x4_splat(neg_step)};
  i32 i = 0;
  if (p == 0) {
    for (; i + 4 <= n; i += 4) wasm_v128_store(g + i, adam_lanes(m + i, v + i, wasm_v128_load(g + i), &s));
    for (; i < n; i++) g[i] = adam_one(m + i, v + i, g[i], w1, b2, w2, bc, eps, neg_step);
  } else {
    for (; i + 4 <= n; i += 4) {
      v128_t u = adam_lanes(m + i, v + i, wasm_v128_load(g + i), &s);
      wasm_v128_store(p + i, wasm_f32x4_add(wasm_v128_load(p + i), u));
    }
    for (; i < n; i++) p[i] = p[i] + adam_one(m + i, v + i, g[i], w1, b2, w2, bc, eps, neg_step);
  }
}

/*
 * No f64x2 twin: with two lanes, division and square root are no faster than
 * the scalar loop on the CPUs measured (x86-64 with AVX2), and the copies in
 * and out of this module's memory then make it slower (7.6–8.2 against 6.7–7.4
 * ns per element), so float64 steps stay in TypeScript.
 */
