/*
 * check.h - the unit tests' assertions: every CHECK counts, a failing one prints file:line and the values,
 * and test_main exits non-zero when any failed.
 */
#ifndef CHECK_H
#define CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "../le_csr_c99.h"
#include "../le_driver.h"
#include "fake_hal.h"

void check_true(int ok, const char *expr, const char *file, int line);
void check_eq(unsigned long long got, unsigned long long want, const char *expr, const char *file, int line);
void check_status(le_status_t got, le_status_t want, const char *expr, const char *file, int line);

#define CHECK(cond) check_true((cond) != 0, #cond, __FILE__, __LINE__)
#define CHECK_EQ(got, want) check_eq((unsigned long long)(got), (unsigned long long)(want), #got, __FILE__, __LINE__)
#define CHECK_ST(got, want) check_status((got), (want), #got, __FILE__, __LINE__)
#define CHECK_LOG(f, want, what) CHECK(fake_log_is((f), (want), sizeof(want) / sizeof((want)[0]), (what)))
#define CHECK_NO_ACCESS(f) CHECK_EQ((f)->n, 0)

/* Register offsets from the generated header, and the log entries of the expected sequences. */
#define OFF(reg) ((uint32_t)offsetof(le_csr_t, reg))
#define WR(reg, v) {'W', OFF(reg), (uint32_t)(v)}
#define RD(reg) {'R', OFF(reg), 0u}
#define SEND_X(n) {'X', 0u, (uint32_t)(n)}
#define RECV(n) {'L', 0u, (uint32_t)(n)}
#define IRQ_WAIT(budget) {'I', 0u, (uint32_t)(budget)}

/* STATUS words */
#define ST_BUSY 0x1u
#define ST_DONE 0x2u
#define ST_ERROR 0x4u
#define ST_CODE(c) ((uint32_t)(c) << 8)

/* The `tiny` preset (models/config.py) at an image base above 4 GiB; its KV offset and frame size. */
#define T_IMAGE_BASE 0x120000000ull
#define T_KV_OFFSET 0x78c0u
#define T_FRAME 400u                   /* 97 logits * 4 = 388 bytes -> 25 beats of 16 */
#define T_D_MODEL 32u
le_config_t tiny_config(void);

/* A device on the fake, initialised with tiny_config(); fails the test run if le_init does. */
void tiny_dev(le_dev_t *dev, fake_t *f);

void test_setup(void);
void test_token(void);
void test_reset(void);

#endif /* CHECK_H */
