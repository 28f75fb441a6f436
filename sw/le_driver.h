/*
 * le_driver.h - bare-metal C99 driver of the layer engine (int8 transformer decode accelerator).
 *
 * The protocol is docs/host_protocol.md (steps C1-C3, 1-8, S1-S2); the register map is the generated
 * rtl/csr/le_csr.h (PeakRDL-cheader, included by path, never copied). The driver issues exactly the
 * CSR accesses of models/driver.py EngineDriver, in the same order (tests/test_sw_vs_python_driver.py
 * checks it access by access on the golden device).
 *
 * No dynamic allocation, no libc beyond <stdint.h>, <stddef.h>, <stdbool.h>, <string.h>. Every entry
 * point validates its arguments first and returns LE_ERR_BAD_ARG without touching the bus.
 * Nothing blocks without a budget except a wait_irq with LE_WAIT_FOREVER, which the caller chooses.
 */
#ifndef LE_DRIVER_H
#define LE_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "le_hal.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- outcomes -------------------------------------------------------------------------------- */
typedef enum le_status {
    LE_OK = 0,
    /* The engine's verdict: STATUS.ERROR with STATUS.ERR_CODE (models/driver.py ErrorCode). */
    LE_ERR_ILLEGAL_CONFIG = 1,     /* config CSRs / TOKEN_POS (START rejected) or image/KV_BASE (token failed) */
    LE_ERR_START_WHILE_BUSY = 2,   /* START while a token was in flight (that token continues) */
    LE_ERR_AXI_READ = 3,           /* SLVERR/DECERR on an AXI read */
    LE_ERR_AXI_WRITE = 4,          /* SLVERR/DECERR on an AXI write response */
    LE_ERR_X_TLAST_EARLY = 5,      /* TLAST on s_axis_x before d_model bytes */
    LE_ERR_X_TLAST_LATE = 6,       /* no TLAST on the beat carrying byte d_model-1 */
    /* STATUS.ERROR with an ERR_CODE this driver does not know (the raw code is in le_token_result_t). */
    LE_ERR_UNKNOWN_CODE = 0x100,
    /* The driver's own outcomes. */
    LE_ERR_BAD_ARG = 0x101,        /* NULL pointer, wrong length, unaligned base...: nothing touched the bus */
    LE_ERR_IRQ_TIMEOUT = 0x102,    /* step 6: no irq within the budget; state unknown: soft-reset */
    LE_ERR_RESET_TIMEOUT = 0x103,  /* S2: STATUS did not read 0 within reset_polls reads */
    LE_ERR_PROTOCOL = 0x104,       /* step 7: irq high but STATUS has neither DONE nor ERROR */
    LE_ERR_HAL = 0x105,            /* a HAL callback reported a failure (bus error, stream error) */
    LE_ERR_HW_MISMATCH = 0x106,    /* le_probe: ID, VERSION.MAJOR or HW_PARAMS.LANES disagree */
    LE_ERR_BUS_WIDTH = 0x107       /* le_check_bus_width: image exported for another bus width */
} le_status_t;

/* ---- constants --------------------------------------------------------------------------------- */
#define LE_ALIGN 64u                          /* IMAGE_BASE and KV_BASE alignment (bytes) */
#define LE_LOGIT_BYTES 4u                     /* one int32 logit, little-endian */
#define LE_HEADER_WORDS 16u                   /* image header: 16 little-endian uint32 */
#define LE_HEADER_BYTES (4u * LE_HEADER_WORDS)
#define LE_IMAGE_MAGIC 0x474E454Cu            /* header word 0: bytes "LENG" (models/ddr_layout.py MAGIC) */
#define LE_LAYOUT_VERSION 1u                  /* header word 1 this driver understands */
#define LE_CSR_VERSION_MAJOR 1u               /* VERSION.MAJOR this driver was written for */
#define LE_HEADER_AXI_DATA_W 9u              /* header word holding the bus width (bits) the image is for */
#define LE_BUS_WIDTH_MSG_BYTES 96u            /* enough for le_check_bus_width's line and its NUL */
#define LE_DEFAULT_RESET_POLLS 2048u          /* = models/driver.py DEFAULT_RESET_POLLS */
#define LE_DEFAULT_IRQ_BUDGET_US 60000000u    /* 60 s = models/driver.py DEFAULT_TOKEN_TIMEOUT_S */

/* ---- configuration ------------------------------------------------------------------------------ */
typedef struct le_config {
    /* model dims: the config CSRs of step C1, in the order they are written */
    uint32_t d_model, n_heads, d_head, d_ff, n_layers, vocab, max_seq, w_tile_rows, ctx_tile;
    uint32_t axi_data_w;   /* bus width in bits (64, 128, 256): bytes per stream beat = axi_data_w / 8 */
    uint64_t image_base;   /* DDR byte address of the image (64-byte aligned) */
    uint64_t kv_offset;    /* KV region offset inside the image (header word 12, DdrLayout.kv_base) */
} le_config_t;

typedef struct le_dev {
    const le_hal_t *hal;
    le_config_t cfg;
    uint32_t reset_polls;     /* S2 budget in STATUS reads (le_init: LE_DEFAULT_RESET_POLLS) */
    uint32_t irq_budget_us;   /* step 6 budget passed to wait_irq (le_init: LE_DEFAULT_IRQ_BUDGET_US) */
    uint32_t last_status;     /* the latest STATUS word read (diagnostics, e.g. after LE_ERR_RESET_TIMEOUT) */
} le_dev_t;

/* The four 64-bit perf counters, in read-out order (models/driver.py PERF_COUNTERS). */
typedef struct le_perf {
    uint64_t cycles, rd_stall_cycles, bytes_rd, bytes_wr;
} le_perf_t;

typedef struct le_token_result {
    uint32_t status;      /* STATUS word of step 4 (rejected START) or step 7 */
    uint32_t err_code;    /* STATUS.ERR_CODE (0 when the token completed) */
    bool rejected;        /* the START was rejected: no stream was exchanged */
    le_perf_t perf;       /* read in step 7 of a completed token; zero otherwise */
} le_token_result_t;

typedef struct le_hw_info {
    uint32_t id, version, hw_params, hw_max_dims;
    uint32_t lanes, max_n_heads, max_n_layers, max_d_model, max_d_ff;
} le_hw_info_t;

/* ---- API ------------------------------------------------------------------------------------------ */

/* Bind a device to its HAL and config; no bus access. Checks: every pointer and HAL callback non-NULL,
 * axi_data_w in {64, 128, 256}, image_base and kv_offset 64-byte aligned, image_base + kv_offset
 * inside 64 bits, vocab >= 1 and the logits frame size representable in size_t. */
le_status_t le_init(le_dev_t *dev, const le_hal_t *hal, const le_config_t *cfg);

/* Fill the dims, axi_data_w and kv_offset of *cfg from an image header (the image's first 64 bytes,
 * little-endian words as packed by models/ddr_layout.py) and set image_base. Checks the magic and
 * the layout version (LE_ERR_BAD_ARG otherwise). No bus access. */
le_status_t le_config_from_header(le_config_t *cfg, const uint8_t *header, size_t header_len, uint64_t image_base);

/* The image's bus width (cfg->axi_data_w as le_config_from_header read it from header word 9) against the
 * engine's (engine_axi_data_w bits: HW_PARAMS.LANES * 8 from le_probe, or what the integrator synthesized).
 * LE_OK when equal. LE_ERR_BUS_WIDTH otherwise; then, if msg is non-NULL and msg_len > 0, msg holds one
 * NUL-terminated line (cut to msg_len - 1 characters; LE_BUS_WIDTH_MSG_BYTES always suffice):
 * "bundle made for a 128-bit bus, engine is 64-bit: re-export with --bus-width 64".
 * LE_ERR_BAD_ARG when cfg is NULL. No bus access. Call it before le_init / le_configure. */
le_status_t le_check_bus_width(const le_config_t *cfg, uint32_t engine_axi_data_w, char *msg, size_t msg_len);

/* Optional step C0: read ID, VERSION, HW_PARAMS, HW_MAX_DIMS into *info; LE_ERR_HW_MISMATCH when ID is
 * not "LENG", VERSION.MAJOR differs from LE_CSR_VERSION_MAJOR or HW_PARAMS.LANES != axi_data_w / 8. */
le_status_t le_probe(le_dev_t *dev, le_hw_info_t *info);

/* Steps C1-C3: config CSRs, IMAGE_BASE and KV_BASE (LO then HI), IRQ_STATUS = DONE|ERROR (W1C),
 * IRQ_ENABLE = DONE|ERROR. */
le_status_t le_configure(le_dev_t *dev);

/* Steps 1-8 for one token: x = d_model int8 (x_len must equal d_model), pos = TOKEN_POS, frame = a
 * buffer of exactly le_logits_frame_bytes() bytes that receives the logits frame (decode it with
 * le_decode_logits; a failed token's frame is to be discarded). *res is filled on every outcome past
 * the argument checks. Returns LE_OK, an engine code (1..6, LE_ERR_UNKNOWN_CODE: soft-reset before the
 * next token), LE_ERR_IRQ_TIMEOUT (soft-reset), LE_ERR_PROTOCOL, LE_ERR_HAL or LE_ERR_BAD_ARG. */
le_status_t le_run_token(le_dev_t *dev, const int8_t *x, size_t x_len, uint32_t pos,
                         uint8_t *frame, size_t frame_len, le_token_result_t *res);

/* The four perf counters of the latest token (LO then HI of each, models/driver.py PERF_COUNTERS order), as
 * step 7 reads them; for a host that ran a token's steps itself (e.g. a token that saw a second START while
 * busy, which le_run_token does not provoke). LE_ERR_BAD_ARG when dev is not initialised or perf is NULL. */
le_status_t le_read_perf(const le_dev_t *dev, le_perf_t *perf);

/* Steps S1-S2: CTRL = SOFT_RESET, then read STATUS until it reads 0, at most dev->reset_polls times
 * (LE_ERR_RESET_TIMEOUT; dev->last_status holds the last value read). */
le_status_t le_soft_reset(le_dev_t *dev);

/* Bytes of one logits frame: vocab * 4 rounded up to whole beats (0 for an invalid config). */
size_t le_logits_frame_bytes(const le_config_t *cfg);

/* logits[j] = int32 little-endian at frame bytes 4j..4j+3, j < vocab (any host byte order); the beat
 * padding after 4 * vocab bytes is ignored. LE_ERR_BAD_ARG when a pointer is NULL or
 * frame_len < 4 * vocab. */
le_status_t le_decode_logits(const uint8_t *frame, size_t frame_len, int32_t *logits, size_t vocab);

/* STATUS.ERR_CODE -> le_status_t (0 -> LE_OK, 1..6 -> the engine codes, else LE_ERR_UNKNOWN_CODE). */
le_status_t le_status_from_err_code(uint32_t err_code);

/* Constant name of a status ("LE_OK", "LE_ERR_AXI_READ", ...; "LE_ERR_?" for a value not in the enum). */
const char *le_status_name(le_status_t status);

#ifdef __cplusplus
}
#endif

#endif /* LE_DRIVER_H */
