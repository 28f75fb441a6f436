/* test_token.c - le_run_token (steps 1-8): every outcome, each with its exact access sequence. */
#include <string.h>

#include "check.h"

#define BUDGET 1234u

static int8_t g_x[T_D_MODEL];
static uint8_t g_frame[T_FRAME];

static void fill_x(void)
{
    size_t i;
    for (i = 0; i < T_D_MODEL; i++) {
        g_x[i] = (int8_t)((int)i * 7 - 100);
    }
}

static le_status_t run(le_dev_t *dev, le_token_result_t *res, uint32_t pos)
{
    memset(g_frame, 0xA5, sizeof(g_frame));
    return le_run_token(dev, g_x, T_D_MODEL, pos, g_frame, T_FRAME, res);
}

/* A completed token: the whole sequence, the X bytes handed to the HAL, the frame, the perf counters. */
static void test_done(void)
{
    static const fake_acc_t want[] = {
        WR(TOKEN_POS, 5), WR(CTRL, 1), RD(STATUS), SEND_X(T_D_MODEL), RECV(T_FRAME), IRQ_WAIT(BUDGET),
        RD(STATUS),
        RD(PERF_CYCLES_LO), RD(PERF_CYCLES_HI), RD(PERF_RD_STALL_CYCLES_LO), RD(PERF_RD_STALL_CYCLES_HI),
        RD(PERF_BYTES_RD_LO), RD(PERF_BYTES_RD_HI), RD(PERF_BYTES_WR_LO), RD(PERF_BYTES_WR_HI),
        WR(IRQ_STATUS, 1)};
    const uint32_t status[] = {ST_BUSY, ST_DONE};
    le_dev_t dev;
    fake_t f;
    le_token_result_t res;
    size_t i;
    tiny_dev(&dev, &f);
    dev.irq_budget_us = BUDGET;
    fake_status(&f, 2, status);
    for (i = 0; i < T_FRAME; i++) {
        f.frame[i] = (uint8_t)(i * 13u + 1u);
    }
    f.regs[OFF(PERF_CYCLES_LO) / 4] = 0x89abcdefu;
    f.regs[OFF(PERF_CYCLES_HI) / 4] = 0x01234567u;
    f.regs[OFF(PERF_RD_STALL_CYCLES_LO) / 4] = 7u;
    f.regs[OFF(PERF_BYTES_RD_LO) / 4] = 0xfffffff0u;
    f.regs[OFF(PERF_BYTES_RD_HI) / 4] = 2u;
    f.regs[OFF(PERF_BYTES_WR_HI) / 4] = 0x80000000u;
    CHECK_ST(run(&dev, &res, 5), LE_OK);
    CHECK_LOG(&f, want, "a completed token");
    CHECK(f.x_len == T_D_MODEL && memcmp(f.x, g_x, T_D_MODEL) == 0);
    CHECK(memcmp(g_frame, f.frame, T_FRAME) == 0);
    CHECK_EQ(res.status, ST_DONE);
    CHECK_EQ(res.err_code, 0);
    CHECK(!res.rejected);
    CHECK_EQ(res.perf.cycles, 0x0123456789abcdefull);
    CHECK_EQ(res.perf.rd_stall_cycles, 7);
    CHECK_EQ(res.perf.bytes_rd, 0x2fffffff0ull);
    CHECK_EQ(res.perf.bytes_wr, 0x8000000000000000ull);
    CHECK_EQ(dev.last_status, ST_DONE);
}

/* START rejected with `code`: W1C of both interrupts, no stream, no irq wait. */
static void rejected(uint32_t status, le_status_t want_st, uint32_t want_code)
{
    static const fake_acc_t want[] = {WR(TOKEN_POS, 9), WR(CTRL, 1), RD(STATUS), WR(IRQ_STATUS, 3)};
    le_dev_t dev;
    fake_t f;
    le_token_result_t res;
    tiny_dev(&dev, &f);
    fake_status(&f, 1, &status);
    CHECK_ST(run(&dev, &res, 9), want_st);
    CHECK_LOG(&f, want, le_status_name(want_st));
    CHECK(res.rejected);
    CHECK_EQ(res.status, status);
    CHECK_EQ(res.err_code, want_code);
    CHECK_EQ(res.perf.cycles, 0);
}

/* Accepted, then STATUS `after` (ERROR with `code`) after the streams: W1C of both interrupts, no perf read-out. */
static void failed_with(uint32_t after, uint32_t code)
{
    static const fake_acc_t want[] = {
        WR(TOKEN_POS, 3), WR(CTRL, 1), RD(STATUS), SEND_X(T_D_MODEL), RECV(T_FRAME), IRQ_WAIT(LE_DEFAULT_IRQ_BUDGET_US),
        RD(STATUS), WR(IRQ_STATUS, 3)};
    const uint32_t status[] = {ST_BUSY, after};
    le_dev_t dev;
    fake_t f;
    le_token_result_t res;
    tiny_dev(&dev, &f);
    fake_status(&f, 2, status);
    CHECK_ST(run(&dev, &res, 3), le_status_from_err_code(code));
    CHECK_LOG(&f, want, le_status_name(le_status_from_err_code(code)));
    CHECK(!res.rejected);
    CHECK_EQ(res.status, status[1]);
    CHECK_EQ(res.err_code, code);
}

static void failed(uint32_t code)
{
    failed_with(ST_ERROR | ST_CODE(code), code);
}

static void test_engine_errors(void)
{
    static const le_status_t codes[] = {LE_ERR_ILLEGAL_CONFIG, LE_ERR_START_WHILE_BUSY, LE_ERR_AXI_READ,
                                        LE_ERR_AXI_WRITE, LE_ERR_X_TLAST_EARLY, LE_ERR_X_TLAST_LATE};
    uint32_t c;
    for (c = 1; c <= 6; c++) {
        CHECK_ST(le_status_from_err_code(c), codes[c - 1]);
        rejected(ST_ERROR | ST_CODE(c), codes[c - 1], c);
        failed(c);
    }
    /* START while busy as the engine shows it: the token in flight keeps BUSY next to ERROR */
    rejected(ST_BUSY | ST_ERROR | ST_CODE(2), LE_ERR_START_WHILE_BUSY, 2);
    /* a rejected START clears DONE (docs/host_protocol.md section 5): the engine shows 0x104 ... */
    rejected(ST_ERROR | ST_CODE(1), LE_ERR_ILLEGAL_CONFIG, 1);
    /* ... and should DONE still come with ERROR (an engine from before the fix), ERROR wins all the same */
    rejected(ST_DONE | ST_ERROR | ST_CODE(1), LE_ERR_ILLEGAL_CONFIG, 1);
    /* codes the driver does not know, and ERROR without a code */
    rejected(ST_ERROR | ST_CODE(0x2a), LE_ERR_UNKNOWN_CODE, 0x2a);
    rejected(ST_ERROR | ST_CODE(0xff), LE_ERR_UNKNOWN_CODE, 0xff);
    rejected(ST_ERROR, LE_ERR_UNKNOWN_CODE, 0);
    failed(7);
    /* another master's START while this token ran: it completes (DONE) next to ERROR -> the error wins */
    failed_with(ST_DONE | ST_ERROR | ST_CODE(2), 2);
    CHECK_ST(le_status_from_err_code(0), LE_OK);
    CHECK_ST(le_status_from_err_code(0x100), LE_ERR_UNKNOWN_CODE);
}

/* No irq within the budget: nothing after the wait (state unknown; the host soft-resets). */
static void test_irq_timeout(void)
{
    static const fake_acc_t want[] = {
        WR(TOKEN_POS, 0), WR(CTRL, 1), RD(STATUS), SEND_X(T_D_MODEL), RECV(T_FRAME), IRQ_WAIT(77)};
    const uint32_t status = ST_BUSY;
    le_dev_t dev;
    fake_t f;
    le_token_result_t res;
    tiny_dev(&dev, &f);
    dev.irq_budget_us = 77;
    fake_status(&f, 1, &status);
    f.irq_rc = LE_HAL_TIMEOUT;
    CHECK_ST(run(&dev, &res, 0), LE_ERR_IRQ_TIMEOUT);
    CHECK_LOG(&f, want, "irq timeout");
    /* LE_WAIT_FOREVER is passed through unchanged */
    tiny_dev(&dev, &f);
    dev.irq_budget_us = LE_WAIT_FOREVER;
    fake_status(&f, 1, &status);
    f.irq_rc = 2;                       /* any value but LE_HAL_IRQ is a timeout */
    CHECK_ST(run(&dev, &res, 0), LE_ERR_IRQ_TIMEOUT);
    CHECK(f.n == 6 && f.log[5].op == 'I' && f.log[5].val == LE_WAIT_FOREVER);
}

/* irq high but STATUS shows neither DONE nor ERROR. */
static void test_protocol_error(void)
{
    static const fake_acc_t want[] = {
        WR(TOKEN_POS, 1), WR(CTRL, 1), RD(STATUS), SEND_X(T_D_MODEL), RECV(T_FRAME),
        IRQ_WAIT(LE_DEFAULT_IRQ_BUDGET_US), RD(STATUS)};
    const uint32_t status[] = {ST_BUSY, ST_BUSY};
    le_dev_t dev;
    fake_t f;
    le_token_result_t res;
    tiny_dev(&dev, &f);
    fake_status(&f, 2, status);
    CHECK_ST(run(&dev, &res, 1), LE_ERR_PROTOCOL);
    CHECK_LOG(&f, want, "irq without DONE or ERROR");
    CHECK_EQ(res.status, ST_BUSY);
}

/* Bad arguments: LE_ERR_BAD_ARG and not a single access. */
static void test_bad_args(void)
{
    le_dev_t dev, blank;
    fake_t f;
    le_token_result_t res;
    tiny_dev(&dev, &f);
    CHECK_ST(le_run_token(NULL, g_x, T_D_MODEL, 0, g_frame, T_FRAME, &res), LE_ERR_BAD_ARG);
    CHECK_ST(le_run_token(&dev, NULL, T_D_MODEL, 0, g_frame, T_FRAME, &res), LE_ERR_BAD_ARG);
    CHECK_ST(le_run_token(&dev, g_x, T_D_MODEL, 0, NULL, T_FRAME, &res), LE_ERR_BAD_ARG);
    CHECK_ST(le_run_token(&dev, g_x, T_D_MODEL, 0, g_frame, T_FRAME, NULL), LE_ERR_BAD_ARG);
    CHECK_ST(le_run_token(&dev, g_x, T_D_MODEL - 1, 0, g_frame, T_FRAME, &res), LE_ERR_BAD_ARG);
    CHECK_ST(le_run_token(&dev, g_x, T_D_MODEL + 1, 0, g_frame, T_FRAME, &res), LE_ERR_BAD_ARG);
    CHECK_ST(le_run_token(&dev, g_x, 0, 0, g_frame, T_FRAME, &res), LE_ERR_BAD_ARG);
    CHECK_ST(le_run_token(&dev, g_x, T_D_MODEL, 0, g_frame, T_FRAME - 1, &res), LE_ERR_BAD_ARG);
    CHECK_ST(le_run_token(&dev, g_x, T_D_MODEL, 0, g_frame, 388, &res), LE_ERR_BAD_ARG);  /* unpadded */
    CHECK_ST(le_run_token(&dev, g_x, T_D_MODEL, 0, g_frame, 0, &res), LE_ERR_BAD_ARG);
    memset(&blank, 0, sizeof(blank));                      /* never le_init'ed: no HAL */
    CHECK_ST(le_run_token(&blank, g_x, T_D_MODEL, 0, g_frame, T_FRAME, &res), LE_ERR_BAD_ARG);
    CHECK_NO_ACCESS(&f);
}

/* A failing HAL callback stops the driver at once with LE_ERR_HAL. */
static void test_hal_failures(void)
{
    static const fake_acc_t upto_pos[] = {WR(TOKEN_POS, 2)};
    static const fake_acc_t upto_status[] = {WR(TOKEN_POS, 2), WR(CTRL, 1), RD(STATUS)};
    static const fake_acc_t upto_send[] = {WR(TOKEN_POS, 2), WR(CTRL, 1), RD(STATUS), SEND_X(T_D_MODEL)};
    static const fake_acc_t upto_recv[] = {
        WR(TOKEN_POS, 2), WR(CTRL, 1), RD(STATUS), SEND_X(T_D_MODEL), RECV(T_FRAME)};
    static const fake_acc_t upto_perf[] = {
        WR(TOKEN_POS, 2), WR(CTRL, 1), RD(STATUS), SEND_X(T_D_MODEL), RECV(T_FRAME),
        IRQ_WAIT(LE_DEFAULT_IRQ_BUDGET_US), RD(STATUS), RD(PERF_CYCLES_LO), RD(PERF_CYCLES_HI)};
    const uint32_t status[] = {ST_BUSY, ST_DONE};
    le_dev_t dev;
    fake_t f;
    le_token_result_t res;

    tiny_dev(&dev, &f);
    f.fail_at = 0;
    CHECK_ST(run(&dev, &res, 2), LE_ERR_HAL);
    CHECK_LOG(&f, upto_pos, "TOKEN_POS write fails");

    tiny_dev(&dev, &f);
    f.fail_at = 2;
    CHECK_ST(run(&dev, &res, 2), LE_ERR_HAL);
    CHECK_LOG(&f, upto_status, "STATUS read fails");

    tiny_dev(&dev, &f);
    fake_status(&f, 2, status);
    f.send_rc = -1;
    CHECK_ST(run(&dev, &res, 2), LE_ERR_HAL);
    CHECK_LOG(&f, upto_send, "send_x fails");

    tiny_dev(&dev, &f);
    fake_status(&f, 2, status);
    f.recv_rc = 1;
    CHECK_ST(run(&dev, &res, 2), LE_ERR_HAL);
    CHECK_LOG(&f, upto_recv, "recv_logits fails");

    tiny_dev(&dev, &f);
    fake_status(&f, 2, status);
    f.fail_at = 8;                                         /* PERF_CYCLES_HI */
    CHECK_ST(run(&dev, &res, 2), LE_ERR_HAL);
    CHECK_LOG(&f, upto_perf, "a perf read fails");
}

/* le_read_perf: the eight reads in order, LO then HI; a failing read stops it; bad arguments touch nothing. */
static void test_read_perf(void)
{
    static const fake_acc_t want[] = {
        RD(PERF_CYCLES_LO), RD(PERF_CYCLES_HI), RD(PERF_RD_STALL_CYCLES_LO), RD(PERF_RD_STALL_CYCLES_HI),
        RD(PERF_BYTES_RD_LO), RD(PERF_BYTES_RD_HI), RD(PERF_BYTES_WR_LO), RD(PERF_BYTES_WR_HI)};
    static const fake_acc_t upto_stall[] = {RD(PERF_CYCLES_LO), RD(PERF_CYCLES_HI), RD(PERF_RD_STALL_CYCLES_LO)};
    le_dev_t dev, blank;
    fake_t f;
    le_perf_t perf;
    tiny_dev(&dev, &f);
    f.regs[OFF(PERF_CYCLES_LO) / 4] = 11u;
    f.regs[OFF(PERF_CYCLES_HI) / 4] = 1u;
    f.regs[OFF(PERF_RD_STALL_CYCLES_LO) / 4] = 3u;
    f.regs[OFF(PERF_BYTES_RD_LO) / 4] = 0x40u;
    f.regs[OFF(PERF_BYTES_WR_HI) / 4] = 2u;
    CHECK_ST(le_read_perf(&dev, &perf), LE_OK);
    CHECK_LOG(&f, want, "le_read_perf");
    CHECK_EQ(perf.cycles, 0x10000000bull);
    CHECK_EQ(perf.rd_stall_cycles, 3);
    CHECK_EQ(perf.bytes_rd, 0x40);
    CHECK_EQ(perf.bytes_wr, 0x200000000ull);

    tiny_dev(&dev, &f);
    f.fail_at = 2;
    CHECK_ST(le_read_perf(&dev, &perf), LE_ERR_HAL);
    CHECK_LOG(&f, upto_stall, "le_read_perf: a read fails");

    tiny_dev(&dev, &f);
    memset(&blank, 0, sizeof(blank));
    CHECK_ST(le_read_perf(NULL, &perf), LE_ERR_BAD_ARG);
    CHECK_ST(le_read_perf(&dev, NULL), LE_ERR_BAD_ARG);
    CHECK_ST(le_read_perf(&blank, &perf), LE_ERR_BAD_ARG);
    CHECK_NO_ACCESS(&f);
}

void test_token(void)
{
    fill_x();
    test_done();
    test_engine_errors();
    test_irq_timeout();
    test_protocol_error();
    test_bad_args();
    test_hal_failures();
    test_read_perf();
}
