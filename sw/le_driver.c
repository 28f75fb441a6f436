/*
 * le_driver.c - the layer engine's host protocol (docs/host_protocol.md) over le_hal_t.
 *
 * Register offsets and fields come from the generated rtl/csr/le_csr.h: an offset is the offsetof of
 * its member in le_csr_t, a field its _bm / _bp macros.
 */
#include "le_driver.h"

#include <string.h>

#include "le_csr_c99.h"

#define REG(name) ((uint32_t)offsetof(le_csr_t, name))

#define CTRL_START ((uint32_t)LE_CSR__CTRL__START_bm)
#define CTRL_SOFT_RESET ((uint32_t)LE_CSR__CTRL__SOFT_RESET_bm)
#define STATUS_DONE ((uint32_t)LE_CSR__STATUS__DONE_bm)
#define STATUS_ERROR ((uint32_t)LE_CSR__STATUS__ERROR_bm)
#define IRQ_DONE ((uint32_t)LE_CSR__IRQ_STATUS__DONE_bm)
#define IRQ_ALL ((uint32_t)(LE_CSR__IRQ_STATUS__DONE_bm | LE_CSR__IRQ_STATUS__ERROR_bm))

/* Bail out with the callee's status unless it is LE_OK. */
#define TRY(expr)                          \
    do {                                   \
        le_status_t try_st_ = (expr);      \
        if (try_st_ != LE_OK) {            \
            return try_st_;                \
        }                                  \
    } while (0)

/* ---- bus helpers -------------------------------------------------------------------------------- */
static le_status_t rd(const le_dev_t *dev, uint32_t offset, uint32_t *value)
{
    return dev->hal->read32(dev->hal->ctx, offset, value) == 0 ? LE_OK : LE_ERR_HAL;
}

static le_status_t wr(const le_dev_t *dev, uint32_t offset, uint32_t value)
{
    return dev->hal->write32(dev->hal->ctx, offset, value) == 0 ? LE_OK : LE_ERR_HAL;
}

static le_status_t read_status(le_dev_t *dev, uint32_t *status)
{
    TRY(rd(dev, REG(STATUS), status));
    dev->last_status = *status;
    return LE_OK;
}

static le_status_t wr_u64(const le_dev_t *dev, uint32_t lo, uint32_t hi, uint64_t value)
{
    TRY(wr(dev, lo, (uint32_t)(value & 0xFFFFFFFFu)));
    return wr(dev, hi, (uint32_t)(value >> 32));
}

static le_status_t rd_u64(const le_dev_t *dev, uint32_t lo, uint32_t hi, uint64_t *value)
{
    uint32_t l = 0;
    uint32_t h = 0;
    TRY(rd(dev, lo, &l));
    TRY(rd(dev, hi, &h));
    *value = ((uint64_t)h << 32) | l;
    return LE_OK;
}

static uint32_t err_code_of(uint32_t status)
{
    return (status & (uint32_t)LE_CSR__STATUS__ERR_CODE_bm) >> LE_CSR__STATUS__ERR_CODE_bp;
}

static uint32_t field(uint32_t word, uint32_t mask, unsigned shift)
{
    return (word & mask) >> shift;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static bool hal_complete(const le_hal_t *hal)
{
    return hal != NULL && hal->read32 != NULL && hal->write32 != NULL && hal->send_x != NULL
           && hal->recv_logits != NULL && hal->wait_irq != NULL;
}

static bool dev_ready(const le_dev_t *dev)
{
    return dev != NULL && hal_complete(dev->hal);
}

/* ---- public helpers --------------------------------------------------------------------------------- */
size_t le_logits_frame_bytes(const le_config_t *cfg)
{
    size_t bus, raw;
    if (cfg == NULL || (cfg->axi_data_w != 64u && cfg->axi_data_w != 128u && cfg->axi_data_w != 256u)
        || cfg->vocab == 0u) {
        return 0;
    }
    bus = cfg->axi_data_w / 8u;
    if ((size_t)cfg->vocab > (SIZE_MAX - bus) / LE_LOGIT_BYTES) {
        return 0;
    }
    raw = (size_t)cfg->vocab * LE_LOGIT_BYTES;
    return (raw + bus - 1u) / bus * bus;
}

le_status_t le_decode_logits(const uint8_t *frame, size_t frame_len, int32_t *logits, size_t vocab)
{
    size_t j;
    if (frame == NULL || logits == NULL || vocab > SIZE_MAX / LE_LOGIT_BYTES
        || frame_len < vocab * LE_LOGIT_BYTES) {
        return LE_ERR_BAD_ARG;
    }
    for (j = 0; j < vocab; j++) {
        uint32_t u = le32(frame + j * LE_LOGIT_BYTES);
        /* two's complement without implementation-defined conversion of values >= 2^31 */
        logits[j] = u <= 0x7FFFFFFFu ? (int32_t)u : -(int32_t)(~u) - 1;
    }
    return LE_OK;
}

le_status_t le_status_from_err_code(uint32_t err_code)
{
    switch (err_code) {
    case 0u: return LE_OK;
    case 1u: return LE_ERR_ILLEGAL_CONFIG;
    case 2u: return LE_ERR_START_WHILE_BUSY;
    case 3u: return LE_ERR_AXI_READ;
    case 4u: return LE_ERR_AXI_WRITE;
    case 5u: return LE_ERR_X_TLAST_EARLY;
    case 6u: return LE_ERR_X_TLAST_LATE;
    default: return LE_ERR_UNKNOWN_CODE;
    }
}

const char *le_status_name(le_status_t status)
{
    switch (status) {
    case LE_OK: return "LE_OK";
    case LE_ERR_ILLEGAL_CONFIG: return "LE_ERR_ILLEGAL_CONFIG";
    case LE_ERR_START_WHILE_BUSY: return "LE_ERR_START_WHILE_BUSY";
    case LE_ERR_AXI_READ: return "LE_ERR_AXI_READ";
    case LE_ERR_AXI_WRITE: return "LE_ERR_AXI_WRITE";
    case LE_ERR_X_TLAST_EARLY: return "LE_ERR_X_TLAST_EARLY";
    case LE_ERR_X_TLAST_LATE: return "LE_ERR_X_TLAST_LATE";
    case LE_ERR_UNKNOWN_CODE: return "LE_ERR_UNKNOWN_CODE";
    case LE_ERR_BAD_ARG: return "LE_ERR_BAD_ARG";
    case LE_ERR_IRQ_TIMEOUT: return "LE_ERR_IRQ_TIMEOUT";
    case LE_ERR_RESET_TIMEOUT: return "LE_ERR_RESET_TIMEOUT";
    case LE_ERR_PROTOCOL: return "LE_ERR_PROTOCOL";
    case LE_ERR_HAL: return "LE_ERR_HAL";
    case LE_ERR_HW_MISMATCH: return "LE_ERR_HW_MISMATCH";
    case LE_ERR_BUS_WIDTH: return "LE_ERR_BUS_WIDTH";
    default: return "LE_ERR_?";
    }
}

/* ---- set-up --------------------------------------------------------------------------------------- */
le_status_t le_init(le_dev_t *dev, const le_hal_t *hal, const le_config_t *cfg)
{
    if (dev == NULL || !hal_complete(hal) || cfg == NULL || le_logits_frame_bytes(cfg) == 0u
        || cfg->image_base % LE_ALIGN != 0u || cfg->kv_offset % LE_ALIGN != 0u
        || cfg->kv_offset > UINT64_MAX - cfg->image_base) {
        return LE_ERR_BAD_ARG;
    }
    memset(dev, 0, sizeof(*dev));
    dev->hal = hal;
    dev->cfg = *cfg;
    dev->reset_polls = LE_DEFAULT_RESET_POLLS;
    dev->irq_budget_us = LE_DEFAULT_IRQ_BUDGET_US;
    return LE_OK;
}

le_status_t le_config_from_header(le_config_t *cfg, const uint8_t *header, size_t header_len, uint64_t image_base)
{
    uint32_t w[LE_HEADER_WORDS];
    unsigned i;
    if (cfg == NULL || header == NULL || header_len < LE_HEADER_BYTES) {
        return LE_ERR_BAD_ARG;
    }
    for (i = 0; i < LE_HEADER_WORDS; i++) {
        w[i] = le32(header + 4u * i);
    }
    if (w[0] != LE_IMAGE_MAGIC || w[1] != LE_LAYOUT_VERSION) {
        return LE_ERR_BAD_ARG;
    }
    /* words: magic, version, d_model, n_heads, d_head, d_ff, n_layers, vocab, max_seq, axi_data_w,
     * w_tile_rows, ctx_tile, kv_base, kv_size, image size, 0 (docs/ddr_layout.md) */
    cfg->d_model = w[2];
    cfg->n_heads = w[3];
    cfg->d_head = w[4];
    cfg->d_ff = w[5];
    cfg->n_layers = w[6];
    cfg->vocab = w[7];
    cfg->max_seq = w[8];
    cfg->axi_data_w = w[LE_HEADER_AXI_DATA_W];   /* checked against the engine: le_check_bus_width */
    cfg->w_tile_rows = w[10];
    cfg->ctx_tile = w[11];
    cfg->kv_offset = w[12];
    cfg->image_base = image_base;
    return LE_OK;
}

/* Appends text at msg[*at], keeping a NUL inside cap bytes (the rest is cut). */
static void put_str(char *msg, size_t cap, size_t *at, const char *text)
{
    while (*text != '\0' && *at + 1u < cap) {
        msg[(*at)++] = *text++;
    }
    msg[*at] = '\0';
}

static void put_u32(char *msg, size_t cap, size_t *at, uint32_t v)
{
    char digits[11];
    size_t n = sizeof(digits) - 1u;
    digits[n] = '\0';
    do {
        digits[--n] = (char)('0' + (char)(v % 10u));
        v /= 10u;
    } while (v != 0u);
    put_str(msg, cap, at, &digits[n]);
}

le_status_t le_check_bus_width(const le_config_t *cfg, uint32_t engine_axi_data_w, char *msg, size_t msg_len)
{
    size_t at = 0;
    if (cfg == NULL) {
        return LE_ERR_BAD_ARG;
    }
    if (cfg->axi_data_w == engine_axi_data_w) {
        return LE_OK;
    }
    if (msg != NULL && msg_len > 0u) {
        msg[0] = '\0';
        put_str(msg, msg_len, &at, "bundle made for a ");
        put_u32(msg, msg_len, &at, cfg->axi_data_w);
        put_str(msg, msg_len, &at, "-bit bus, engine is ");
        put_u32(msg, msg_len, &at, engine_axi_data_w);
        put_str(msg, msg_len, &at, "-bit: re-export with --bus-width ");
        put_u32(msg, msg_len, &at, engine_axi_data_w);
    }
    return LE_ERR_BUS_WIDTH;
}

le_status_t le_probe(le_dev_t *dev, le_hw_info_t *info)
{
    if (!dev_ready(dev) || info == NULL) {
        return LE_ERR_BAD_ARG;
    }
    memset(info, 0, sizeof(*info));
    TRY(rd(dev, REG(ID), &info->id));
    TRY(rd(dev, REG(VERSION), &info->version));
    TRY(rd(dev, REG(HW_PARAMS), &info->hw_params));
    TRY(rd(dev, REG(HW_MAX_DIMS), &info->hw_max_dims));
    info->lanes = field(info->hw_params, LE_CSR__HW_PARAMS__LANES_bm, LE_CSR__HW_PARAMS__LANES_bp);
    info->max_n_heads = field(info->hw_params, LE_CSR__HW_PARAMS__MAX_N_HEADS_bm, LE_CSR__HW_PARAMS__MAX_N_HEADS_bp);
    info->max_n_layers = field(info->hw_params, LE_CSR__HW_PARAMS__MAX_N_LAYERS_bm,
                               LE_CSR__HW_PARAMS__MAX_N_LAYERS_bp);
    info->max_d_model = field(info->hw_max_dims, LE_CSR__HW_MAX_DIMS__MAX_D_MODEL_bm,
                              LE_CSR__HW_MAX_DIMS__MAX_D_MODEL_bp);
    info->max_d_ff = field(info->hw_max_dims, LE_CSR__HW_MAX_DIMS__MAX_D_FF_bm, LE_CSR__HW_MAX_DIMS__MAX_D_FF_bp);
    if (info->id != (uint32_t)LE_CSR__ID__MAGIC_reset
        || field(info->version, LE_CSR__VERSION__MAJOR_bm, LE_CSR__VERSION__MAJOR_bp) != LE_CSR_VERSION_MAJOR
        || info->lanes != dev->cfg.axi_data_w / 8u) {
        return LE_ERR_HW_MISMATCH;
    }
    return LE_OK;
}

le_status_t le_configure(le_dev_t *dev)
{
    const le_config_t *c;
    if (!dev_ready(dev)) {
        return LE_ERR_BAD_ARG;
    }
    c = &dev->cfg;
    /* C1: the dims, in models/driver.py CONFIG_CSRS order */
    TRY(wr(dev, REG(D_MODEL), c->d_model));
    TRY(wr(dev, REG(N_HEADS), c->n_heads));
    TRY(wr(dev, REG(D_HEAD), c->d_head));
    TRY(wr(dev, REG(D_FF), c->d_ff));
    TRY(wr(dev, REG(N_LAYERS), c->n_layers));
    TRY(wr(dev, REG(VOCAB), c->vocab));
    TRY(wr(dev, REG(MAX_SEQ), c->max_seq));
    TRY(wr(dev, REG(W_TILE_ROWS), c->w_tile_rows));
    TRY(wr(dev, REG(CTX_TILE), c->ctx_tile));
    /* C2: the DDR bases, LO then HI */
    TRY(wr_u64(dev, REG(IMAGE_BASE_LO), REG(IMAGE_BASE_HI), c->image_base));
    TRY(wr_u64(dev, REG(KV_BASE_LO), REG(KV_BASE_HI), c->image_base + c->kv_offset));
    /* C3: drop stale interrupts, enable both */
    TRY(wr(dev, REG(IRQ_STATUS), IRQ_ALL));
    return wr(dev, REG(IRQ_ENABLE), IRQ_ALL);
}

/* ---- one token ------------------------------------------------------------------------------------------ */
/* Step 8: acknowledge both interrupts, report the engine's code. */
static le_status_t fail(le_dev_t *dev, uint32_t status, le_token_result_t *res)
{
    res->err_code = err_code_of(status);
    TRY(wr(dev, REG(IRQ_STATUS), IRQ_ALL));
    return res->err_code == 0u ? LE_ERR_UNKNOWN_CODE : le_status_from_err_code(res->err_code);
}

static le_status_t read_perf(const le_dev_t *dev, le_perf_t *perf)
{
    TRY(rd_u64(dev, REG(PERF_CYCLES_LO), REG(PERF_CYCLES_HI), &perf->cycles));
    TRY(rd_u64(dev, REG(PERF_RD_STALL_CYCLES_LO), REG(PERF_RD_STALL_CYCLES_HI), &perf->rd_stall_cycles));
    TRY(rd_u64(dev, REG(PERF_BYTES_RD_LO), REG(PERF_BYTES_RD_HI), &perf->bytes_rd));
    return rd_u64(dev, REG(PERF_BYTES_WR_LO), REG(PERF_BYTES_WR_HI), &perf->bytes_wr);
}

le_status_t le_run_token(le_dev_t *dev, const int8_t *x, size_t x_len, uint32_t pos,
                         uint8_t *frame, size_t frame_len, le_token_result_t *res)
{
    const le_hal_t *hal;
    uint32_t status = 0;
    /* step 1: host-side checks; nothing touches the bus on a bad argument */
    if (!dev_ready(dev) || x == NULL || frame == NULL || res == NULL || x_len != dev->cfg.d_model
        || frame_len == 0u || frame_len != le_logits_frame_bytes(&dev->cfg)) {
        return LE_ERR_BAD_ARG;
    }
    hal = dev->hal;
    memset(res, 0, sizeof(*res));
    /* steps 2-4: TOKEN_POS, START, the verdict */
    TRY(wr(dev, REG(TOKEN_POS), pos));
    TRY(wr(dev, REG(CTRL), CTRL_START));
    TRY(read_status(dev, &status));
    res->status = status;
    if ((status & STATUS_ERROR) != 0u) {       /* ERROR first (DONE + ERROR: see START_WHILE_BUSY) */
        res->rejected = true;
        return fail(dev, status, res);
    }
    /* step 5: X out, one logits frame in (int8 and uint8 share their object representation) */
    if (hal->send_x(hal->ctx, (const uint8_t *)(const void *)x, x_len) != 0
        || hal->recv_logits(hal->ctx, frame, frame_len) != 0) {
        return LE_ERR_HAL;
    }
    /* step 6 */
    if (hal->wait_irq(hal->ctx, dev->irq_budget_us) != LE_HAL_IRQ) {
        return LE_ERR_IRQ_TIMEOUT;
    }
    /* step 7 */
    TRY(read_status(dev, &status));
    res->status = status;
    if ((status & STATUS_ERROR) != 0u) {
        return fail(dev, status, res);
    }
    if ((status & STATUS_DONE) == 0u) {
        return LE_ERR_PROTOCOL;
    }
    TRY(read_perf(dev, &res->perf));
    return wr(dev, REG(IRQ_STATUS), IRQ_DONE);
}

/* ---- perf counters ------------------------------------------------------------------------------------- */
le_status_t le_read_perf(const le_dev_t *dev, le_perf_t *perf)
{
    if (!dev_ready(dev) || perf == NULL) {
        return LE_ERR_BAD_ARG;
    }
    return read_perf(dev, perf);
}

/* ---- soft reset ------------------------------------------------------------------------------------------- */
le_status_t le_soft_reset(le_dev_t *dev)
{
    uint32_t i;
    uint32_t status = 0;
    if (!dev_ready(dev)) {
        return LE_ERR_BAD_ARG;
    }
    TRY(wr(dev, REG(CTRL), CTRL_SOFT_RESET));
    for (i = 0; i < dev->reset_polls; i++) {
        TRY(read_status(dev, &status));
        if (status == 0u) {
            return LE_OK;
        }
    }
    return LE_ERR_RESET_TIMEOUT;
}
