/*
 * gradflow's WebAssembly SIMD matrix product (the source of gemm_wasm.ts).
 *
 *   C[i0:i1, j0:j1] = op(A)[i0:i1, :] · op(B)[:, j0:j1]
 *
 * op(A) is m×k (A stored k×m when ta), op(B) is k×n (B stored n×k when tb), all
 * row-major. The loops follow the BLIS/GotoBLAS structure: a k-block of op(B) is
 * packed into panels of NR columns, an m-block of op(A) into panels of 4 rows,
 * and a 4×NR register tile (8 SIMD accumulators) runs over the packed panels.
 * Packing reads either orientation, so A·B, Aᵀ·B and A·Bᵀ run at the same speed.
 *
 * Built twice by regenerate.ts: with plain SIMD128 (mul + add) and with relaxed
 * SIMD (fused multiply-add where the hardware has it). No libc, no stack: the
 * caller passes all scratch memory in `ws`, so several instances may share one
 * memory.
 */

#include <wasm_simd128.h>

typedef int i32;

/* Depth of a packed block (the packed B panel stays in L1, the A block in L2). */
#define KC 256
/* Rows of A packed at once (a multiple of 4). */
#define MC 128

#ifdef RELAXED
#if __has_builtin(__builtin_wasm_relaxed_madd_f32x4)
#define MADD_F32(a, b, c) ((v128_t)__builtin_wasm_relaxed_madd_f32x4((__f32x4)(a), (__f32x4)(b), (__f32x4)(c)))
#define MADD_F64(a, b, c) ((v128_t)__builtin_wasm_relaxed_madd_f64x2((__f64x2)(a), (__f64x2)(b), (__f64x2)(c)))
#else
/* clang 14/15 only know the pre-standard opcodes; regenerate.ts rewrites them to the final ones. */
#define MADD_F32(a, b, c) ((v128_t)__builtin_wasm_fma_f32x4((__f32x4)(a), (__f32x4)(b), (__f32x4)(c)))
#define MADD_F64(a, b, c) ((v128_t)__builtin_wasm_fma_f64x2((__f64x2)(a), (__f64x2)(b), (__f64x2)(c)))
#endif
#else
#define MADD_F32(a, b, c) wasm_f32x4_add(wasm_f32x4_mul(a, b), c)
#define MADD_F64(a, b, c) wasm_f64x2_add(wasm_f64x2_mul(a, b), c)
#endif

/* One instance per element type: T the scalar, L the lanes per vector, NR = 2L columns per tile. */
#define DEFINE_GEMM(SUF, T, L, SPLAT, MADD, ADD)                                                          \
  /* Packs rows [0, mc) × depth [0, kc) of op(A) into 4-row panels, p-major, zero-padded. */             \
  static void pack_a_##SUF(i32 ta, const T *a, i32 lda, i32 mc, i32 kc, T *ap) {                          \
    for (i32 i = 0; i < mc; i += 4) {                                                                     \
      i32 rows = mc - i < 4 ? mc - i : 4;                                                                 \
      if (rows == 4 && ta) {                                                                              \
        for (i32 p = 0; p < kc; p++, ap += 4) {                                                           \
          const T *s = a + p * lda + i;                                                                   \
          ap[0] = s[0], ap[1] = s[1], ap[2] = s[2], ap[3] = s[3];                                         \
        }                                                                                                 \
      } else if (rows == 4) {                                                                             \
        const T *s0 = a + i * lda, *s1 = s0 + lda, *s2 = s1 + lda, *s3 = s2 + lda;                        \
        for (i32 p = 0; p < kc; p++, ap += 4) ap[0] = s0[p], ap[1] = s1[p], ap[2] = s2[p], ap[3] = s3[p]; \
      } else {                                                                                            \
        for (i32 p = 0; p < kc; p++, ap += 4) {                                                           \
          for (i32 r = 0; r < 4; r++) {                                                                   \
            ap[r] = r < rows ? (ta ? a[p * lda + i + r] : a[(i + r) * lda + p]) : (T)0;                   \
          }                                                                                               \
        }                                                                                                 \
      }                                                                                                   \
    }                                                                                                     \
  }                                                                                                       \
  /* Packs depth [0, kc) × columns [0, nc) of op(B) into NR-column panels, p-major, zero-padded. */      \
  static void pack_b_##SUF(i32 tb, const T *b, i32 ldb, i32 kc, i32 nc, T *bp) {                          \
    for (i32 j = 0; j < nc; j += 2 * L) {                                                                 \
      i32 cols = nc - j < 2 * L ? nc - j : 2 * L;                                                         \
      if (cols == 2 * L && !tb) {                                                                         \
        for (i32 p = 0; p < kc; p++, bp += 2 * L) {                                                       \
          const T *s = b + p * ldb + j;                                                                   \
          wasm_v128_store(bp, wasm_v128_load(s));                                                         \
          wasm_v128_store(bp + L, wasm_v128_load(s + L));                                                 \
        }                                                                                                 \
      } else {                                                                                            \
        for (i32 p = 0; p < kc; p++, bp += 2 * L) {                                                       \
          for (i32 c = 0; c < 2 * L; c++) {                                                               \
            bp[c] = c < cols ? (tb ? b[(j + c) * ldb + p] : b[p * ldb + j + c]) : (T)0;                   \
          }                                                                                               \
        }                                                                                                 \
      }                                                                                                   \
    }                                                                                                     \
  }                                                                                                       \
  /* The 4×NR register tile: C (+)= Ap · Bp over depth kc; partial tiles go through tmp. */              \
  static void kernel_##SUF(i32 kc, const T *ap, const T *bp, T *c, i32 ldc, i32 acc, i32 mr, i32 nr,      \
                           T *tmp) {                                                                      \
    v128_t c00 = wasm_i32x4_splat(0), c01 = c00, c10 = c00, c11 = c00;                                    \
    v128_t c20 = c00, c21 = c00, c30 = c00, c31 = c00;                                                    \
    for (i32 p = 0; p < kc; p++) {                                                                        \
      v128_t b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + L);                                        \
      v128_t a0 = SPLAT(ap), a1 = SPLAT(ap + 1), a2 = SPLAT(ap + 2), a3 = SPLAT(ap + 3);                  \
      c00 = MADD(a0, b0, c00), c01 = MADD(a0, b1, c01);                                                   \
      c10 = MADD(a1, b0, c10), c11 = MADD(a1, b1, c11);                                                   \
      c20 = MADD(a2, b0, c20), c21 = MADD(a2, b1, c21);                                                   \
      c30 = MADD(a3, b0, c30), c31 = MADD(a3, b1, c31);                                                   \
      ap += 4, bp += 2 * L;                                                                               \
    }                                                                                                     \
    i32 full = mr == 4 && nr == 2 * L;                                                                    \
    T *d = full ? c : tmp;                                                                                \
    i32 ld = full ? ldc : 2 * L;                                                                          \
    if (acc && full) {                                                                                    \
      c00 = ADD(c00, wasm_v128_load(d)), c01 = ADD(c01, wasm_v128_load(d + L));                           \
      c10 = ADD(c10, wasm_v128_load(d + ld)), c11 = ADD(c11, wasm_v128_load(d + ld + L));                 \
      c20 = ADD(c20, wasm_v128_load(d + 2 * ld)), c21 = ADD(c21, wasm_v128_load(d + 2 * ld + L));         \
      c30 = ADD(c30, wasm_v128_load(d + 3 * ld)), c31 = ADD(c31, wasm_v128_load(d + 3 * ld + L));         \
    }                                                                                                     \
    wasm_v128_store(d, c00), wasm_v128_store(d + L, c01);                                                 \
    wasm_v128_store(d + ld, c10), wasm_v128_store(d + ld + L, c11);                                       \
    wasm_v128_store(d + 2 * ld, c20), wasm_v128_store(d + 2 * ld + L, c21);                               \
    wasm_v128_store(d + 3 * ld, c30), wasm_v128_store(d + 3 * ld + L, c31);                               \
    if (!full) {                                                                                          \
      for (i32 r = 0; r < mr; r++) {                                                                      \
        for (i32 q = 0; q < nr; q++) {                                                                    \
          T v = tmp[r * 2 * L + q];                                                                       \
          c[r * ldc + q] = acc ? c[r * ldc + q] + v : v;                                                  \
        }                                                                                                 \
      }                                                                                                   \
    }                                                                                                     \
  }                                                                                                       \
  /* Scratch needed by gemm_SUF for a column range of width w, in elements. */                          \
  __attribute__((export_name("workspace_" #SUF))) i32 workspace_##SUF(i32 w) {                            \
    return 64 + MC * KC + KC * ((w + 2 * L - 1) / (2 * L) * (2 * L));                                     \
  }                                                                                                       \
  /* C[i0:i1, j0:j1] = op(A)[i0:i1, :] · op(B)[:, j0:j1]; ws holds workspace_SUF(j1 - j0) elements. */   \
  __attribute__((export_name("gemm_" #SUF))) void gemm_##SUF(i32 ta, i32 tb, i32 m, i32 n, i32 k,         \
                                                             const T *a, const T *b, T *c, i32 i0,        \
                                                             i32 i1, i32 j0, i32 j1, T *ws) {             \
    i32 lda = ta ? m : k, ldb = tb ? k : n;                                                               \
    T *tmp = ws, *ap = ws + 64, *bp = ws + 64 + MC * KC;                                                  \
    if (k == 0) {                                                                                         \
      for (i32 i = i0; i < i1; i++) {                                                                     \
        for (i32 j = j0; j < j1; j++) c[i * n + j] = 0;                                                   \
      }                                                                                                   \
      return;                                                                                             \
    }                                                                                                     \
    /* Equal k-blocks: 784 = 4 × 196 rather than 3 × 256 + 16. */                                         \
    i32 kb = (k + KC - 1) / KC, kstep = (k + kb - 1) / kb;                                                \
    i32 mb = (i1 - i0 + MC - 1) / MC, mstep = ((i1 - i0 + mb - 1) / mb + 3) / 4 * 4;                      \
    for (i32 pc = 0; pc < k; pc += kstep) {                                                               \
      i32 kc = k - pc < kstep ? k - pc : kstep;                                                           \
      pack_b_##SUF(tb, tb ? b + j0 * ldb + pc : b + pc * ldb + j0, ldb, kc, j1 - j0, bp);                 \
      for (i32 ic = i0; ic < i1; ic += mstep) {                                                           \
        i32 mc = i1 - ic < mstep ? i1 - ic : mstep;                                                       \
        pack_a_##SUF(ta, ta ? a + pc * lda + ic : a + ic * lda + pc, lda, mc, kc, ap);                    \
        for (i32 jr = 0; jr < j1 - j0; jr += 2 * L) {                                                     \
          i32 nr = j1 - j0 - jr < 2 * L ? j1 - j0 - jr : 2 * L;                                           \
          for (i32 ir = 0; ir < mc; ir += 4) {                                                            \
            i32 mr = mc - ir < 4 ? mc - ir : 4;                                                           \
            kernel_##SUF(kc, ap + ir * kc, bp + jr * kc, c + (ic + ir) * n + j0 + jr, n, pc > 0, mr, nr,  \
                         tmp);                                                                            \
          }                                                                                               \
        }                                                                                                 \
      }                                                                                                   \
    }                                                                                                     \
  }

DEFINE_GEMM(f32, float, 4, wasm_v128_load32_splat, MADD_F32, wasm_f32x4_add)
DEFINE_GEMM(f64, double, 2, wasm_v128_load64_splat, MADD_F64, wasm_f64x2_add)
