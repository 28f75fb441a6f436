/*
 * le_csr_c99.h - includes the generated register map rtl/csr/le_csr.h (by path, never copied) in C99.
 *
 * The generated header ends with a C11 static_assert on sizeof(le_csr_t). In C99 <assert.h> has no
 * static_assert, so the same check is spelled as a negative-size array typedef for that one line.
 */
#ifndef LE_CSR_C99_H
#define LE_CSR_C99_H

#if !defined(__cplusplus) && (!defined(__STDC_VERSION__) || __STDC_VERSION__ < 201112L) \
    && !defined(static_assert)
#define LE_CSR_C99_STATIC_ASSERT 1
#define static_assert(cond, msg) typedef char le_csr_static_assert_t[(cond) ? 1 : -1]
#endif

#include "../rtl/csr/le_csr.h"

#ifdef LE_CSR_C99_STATIC_ASSERT
#undef static_assert
#undef LE_CSR_C99_STATIC_ASSERT
#endif

#endif /* LE_CSR_C99_H */
