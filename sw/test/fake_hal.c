/* fake_hal.c - see fake_hal.h */
#include "fake_hal.h"

#include <stdio.h>
#include <string.h>

#include "../le_csr_c99.h"

static int logged(fake_t *f, char op, uint32_t addr, uint32_t val)
{
    long index = (long)f->n;
    if (f->n < FAKE_LOG_MAX) {
        f->log[f->n].op = op;
        f->log[f->n].addr = addr;
        f->log[f->n].val = val;
        f->n++;
    }
    return index == f->fail_at ? 1 : 0;
}

static int fake_read32(void *ctx, uint32_t offset, uint32_t *value)
{
    fake_t *f = (fake_t *)ctx;
    if (offset == (uint32_t)offsetof(le_csr_t, STATUS)) {
        *value = f->n_status == 0u ? 0u : f->status[f->i_status];
        if (f->i_status + 1u < f->n_status) {
            f->i_status++;
        }
    } else {
        *value = offset / 4u < 32u ? f->regs[offset / 4u] : 0xDEADBEEFu;
    }
    return logged(f, 'R', offset, *value);
}

static int fake_write32(void *ctx, uint32_t offset, uint32_t value)
{
    return logged((fake_t *)ctx, 'W', offset, value);
}

static int fake_send_x(void *ctx, const uint8_t *x, size_t n)
{
    fake_t *f = (fake_t *)ctx;
    f->x_len = n;
    memcpy(f->x, x, n < FAKE_FRAME_MAX ? n : FAKE_FRAME_MAX);
    (void)logged(f, 'X', 0, (uint32_t)n);
    return f->send_rc;
}

static int fake_recv_logits(void *ctx, uint8_t *buf, size_t n)
{
    fake_t *f = (fake_t *)ctx;
    memcpy(buf, f->frame, n < FAKE_FRAME_MAX ? n : FAKE_FRAME_MAX);
    (void)logged(f, 'L', 0, (uint32_t)n);
    return f->recv_rc;
}

static int fake_wait_irq(void *ctx, uint32_t budget_us)
{
    fake_t *f = (fake_t *)ctx;
    (void)logged(f, 'I', 0, budget_us);
    return f->irq_rc;
}

void fake_init(fake_t *f)
{
    memset(f, 0, sizeof(*f));
    f->fail_at = -1;
    f->irq_rc = LE_HAL_IRQ;
    f->hal.ctx = f;
    f->hal.read32 = fake_read32;
    f->hal.write32 = fake_write32;
    f->hal.send_x = fake_send_x;
    f->hal.recv_logits = fake_recv_logits;
    f->hal.wait_irq = fake_wait_irq;
}

void fake_status(fake_t *f, size_t n, const uint32_t *values)
{
    memcpy(f->status, values, n * sizeof(*values));
    f->n_status = n;
    f->i_status = 0;
}

static void print_log(const char *title, const fake_acc_t *log, size_t n)
{
    size_t i;
    fprintf(stderr, "    %s (%zu):\n", title, n);
    for (i = 0; i < n; i++) {
        fprintf(stderr, "      %c 0x%02x 0x%08x\n", log[i].op, (unsigned)log[i].addr, (unsigned)log[i].val);
    }
}

static int same(const fake_acc_t *got, const fake_acc_t *want)
{
    if (got->op != want->op || got->addr != want->addr) {
        return 0;
    }
    return got->op == 'R' || got->val == want->val;
}

int fake_log_is(const fake_t *f, const fake_acc_t *want, size_t n_want, const char *what)
{
    size_t i;
    int ok = f->n == n_want;
    for (i = 0; ok && i < n_want; i++) {
        ok = same(&f->log[i], &want[i]);
    }
    if (!ok) {
        fprintf(stderr, "  access sequence of %s differs:\n", what);
        print_log("expected", want, n_want);
        print_log("got", f->log, f->n);
    }
    return ok;
}
