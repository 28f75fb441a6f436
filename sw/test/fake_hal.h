/*
 * fake_hal.h - a scripted le_hal_t for the driver's unit tests: it logs every access in order and
 * answers from a script (STATUS values read in turn, register values, callback return codes, and an
 * access index at which the CSR bus fails).
 */
#ifndef FAKE_HAL_H
#define FAKE_HAL_H

#include <stddef.h>
#include <stdint.h>

#include "../le_hal.h"

#define FAKE_LOG_MAX 64
#define FAKE_STATUS_MAX 16
#define FAKE_FRAME_MAX 512

/* One logged access: 'R' read32 / 'W' write32 (addr = offset, val = value),
 * 'X' send_x / 'L' recv_logits (val = bytes), 'I' wait_irq (val = budget). */
typedef struct fake_acc {
    char op;
    uint32_t addr;
    uint32_t val;
} fake_acc_t;

typedef struct fake {
    fake_acc_t log[FAKE_LOG_MAX];
    size_t n;
    uint32_t regs[32];                     /* value read at offset 4*i (STATUS comes from status[]) */
    uint32_t status[FAKE_STATUS_MAX];      /* STATUS reads in turn; the last one repeats */
    size_t n_status, i_status;
    long fail_at;                          /* log index whose CSR access fails (-1: none) */
    int send_rc, recv_rc, irq_rc;          /* return codes of the stream and irq callbacks */
    uint8_t frame[FAKE_FRAME_MAX];         /* what recv_logits delivers */
    uint8_t x[FAKE_FRAME_MAX];             /* what send_x was given */
    size_t x_len;
    le_hal_t hal;
} fake_t;

/* Reset the fake to: empty log, all registers 0, STATUS reads 0, every callback succeeding. */
void fake_init(fake_t *f);

/* Script the STATUS reads: n values (n <= FAKE_STATUS_MAX), read in turn, the last one repeating. */
void fake_status(fake_t *f, size_t n, const uint32_t *values);

/* Expected accesses: op and address always; the value of 'W', 'X', 'L' and 'I' entries. Returns 1 when the
 * log equals `want` exactly (same length), else prints both sequences and returns 0. */
int fake_log_is(const fake_t *f, const fake_acc_t *want, size_t n_want, const char *what);

#endif /* FAKE_HAL_H */
