/* test_setup.c - le_init, le_config_from_header, le_configure, le_probe, le_soft_reset and the helpers. */
#include <string.h>

#include "check.h"

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void test_init(void)
{
    le_dev_t dev;
    fake_t f;
    le_hal_t hal;
    le_config_t c = tiny_config();
    fake_init(&f);
    CHECK_ST(le_init(&dev, &f.hal, &c), LE_OK);
    CHECK(dev.hal == &f.hal && memcmp(&dev.cfg, &c, sizeof(c)) == 0);
    CHECK_EQ(dev.reset_polls, LE_DEFAULT_RESET_POLLS);
    CHECK_EQ(dev.irq_budget_us, LE_DEFAULT_IRQ_BUDGET_US);
    CHECK_ST(le_init(NULL, &f.hal, &c), LE_ERR_BAD_ARG);
    CHECK_ST(le_init(&dev, NULL, &c), LE_ERR_BAD_ARG);
    CHECK_ST(le_init(&dev, &f.hal, NULL), LE_ERR_BAD_ARG);
    hal = f.hal; hal.read32 = NULL;      CHECK_ST(le_init(&dev, &hal, &c), LE_ERR_BAD_ARG);
    hal = f.hal; hal.write32 = NULL;     CHECK_ST(le_init(&dev, &hal, &c), LE_ERR_BAD_ARG);
    hal = f.hal; hal.send_x = NULL;      CHECK_ST(le_init(&dev, &hal, &c), LE_ERR_BAD_ARG);
    hal = f.hal; hal.recv_logits = NULL; CHECK_ST(le_init(&dev, &hal, &c), LE_ERR_BAD_ARG);
    hal = f.hal; hal.wait_irq = NULL;    CHECK_ST(le_init(&dev, &hal, &c), LE_ERR_BAD_ARG);
    c = tiny_config(); c.axi_data_w = 96;          CHECK_ST(le_init(&dev, &f.hal, &c), LE_ERR_BAD_ARG);
    c = tiny_config(); c.axi_data_w = 0;           CHECK_ST(le_init(&dev, &f.hal, &c), LE_ERR_BAD_ARG);
    c = tiny_config(); c.vocab = 0;                CHECK_ST(le_init(&dev, &f.hal, &c), LE_ERR_BAD_ARG);
    c = tiny_config(); c.image_base += 32;         CHECK_ST(le_init(&dev, &f.hal, &c), LE_ERR_BAD_ARG);
    c = tiny_config(); c.kv_offset += 1;           CHECK_ST(le_init(&dev, &f.hal, &c), LE_ERR_BAD_ARG);
    c = tiny_config(); c.image_base = UINT64_MAX - 63u; CHECK_ST(le_init(&dev, &f.hal, &c), LE_ERR_BAD_ARG);
    /* the engine decides the dims' legality (ILLEGAL_CONFIG at START): le_init only needs frame sizes */
    c = tiny_config(); c.d_model = 0; c.n_heads = 5; CHECK_ST(le_init(&dev, &f.hal, &c), LE_OK);
    CHECK_NO_ACCESS(&f);
}

static void test_header(void)
{
    static const uint32_t words[LE_HEADER_WORDS] = {
        0x474E454Cu, 1, 32, 2, 16, 64, 2, 97, 64, 128, 12, 8, 0x78c0, 8192, 39104, 0};
    uint8_t hdr[LE_HEADER_BYTES];
    le_config_t c, want = tiny_config();
    unsigned i;
    for (i = 0; i < LE_HEADER_WORDS; i++) {
        put32(hdr + 4 * i, words[i]);
    }
    CHECK(memcmp(hdr, "LENG", 4) == 0);                     /* the magic is the bytes "LENG" */
    memset(&c, 0, sizeof(c));
    CHECK_ST(le_config_from_header(&c, hdr, sizeof(hdr), T_IMAGE_BASE), LE_OK);
    CHECK(memcmp(&c, &want, sizeof(c)) == 0);
    CHECK_ST(le_config_from_header(NULL, hdr, sizeof(hdr), 0), LE_ERR_BAD_ARG);
    CHECK_ST(le_config_from_header(&c, NULL, sizeof(hdr), 0), LE_ERR_BAD_ARG);
    CHECK_ST(le_config_from_header(&c, hdr, sizeof(hdr) - 1, 0), LE_ERR_BAD_ARG);
    hdr[0] ^= 1u;
    CHECK_ST(le_config_from_header(&c, hdr, sizeof(hdr), 0), LE_ERR_BAD_ARG);   /* magic */
    hdr[0] ^= 1u;
    put32(hdr + 4, 2);
    CHECK_ST(le_config_from_header(&c, hdr, sizeof(hdr), 0), LE_ERR_BAD_ARG);   /* layout version */
}

/* The header's bus width against the engine's: one line naming both and the export option. */
static void test_bus_width(void)
{
    static const uint32_t words[LE_HEADER_WORDS] = {
        0x474E454Cu, 1, 32, 2, 16, 64, 2, 97, 64, 128, 12, 8, 0x78c0, 8192, 39104, 0};
    uint8_t hdr[LE_HEADER_BYTES];
    char msg[LE_BUS_WIDTH_MSG_BYTES];
    char small[8];
    le_config_t c;
    unsigned i;
    for (i = 0; i < LE_HEADER_WORDS; i++) {
        put32(hdr + 4 * i, words[i]);
    }
    CHECK_ST(le_config_from_header(&c, hdr, sizeof(hdr), T_IMAGE_BASE), LE_OK);
    memset(msg, 'x', sizeof(msg));
    CHECK_ST(le_check_bus_width(&c, 128, msg, sizeof(msg)), LE_OK);
    CHECK(msg[0] == 'x');                                           /* untouched when the widths agree */
    CHECK_ST(le_check_bus_width(&c, 64, msg, sizeof(msg)), LE_ERR_BUS_WIDTH);
    CHECK(strcmp(msg, "bundle made for a 128-bit bus, engine is 64-bit: re-export with --bus-width 64") == 0);
    put32(hdr + 4 * LE_HEADER_AXI_DATA_W, 64);                      /* an image exported with --bus-width 64 */
    CHECK_ST(le_config_from_header(&c, hdr, sizeof(hdr), T_IMAGE_BASE), LE_OK);
    CHECK_EQ(c.axi_data_w, 64);
    CHECK_ST(le_check_bus_width(&c, 64, NULL, 0), LE_OK);
    CHECK_ST(le_check_bus_width(&c, 128, msg, sizeof(msg)), LE_ERR_BUS_WIDTH);
    CHECK(strcmp(msg, "bundle made for a 64-bit bus, engine is 128-bit: re-export with --bus-width 128") == 0);
    CHECK_ST(le_check_bus_width(&c, 128, small, sizeof(small)), LE_ERR_BUS_WIDTH);
    CHECK(strcmp(small, "bundle ") == 0);                           /* cut, NUL-terminated */
    CHECK_ST(le_check_bus_width(&c, 128, NULL, 0), LE_ERR_BUS_WIDTH);
    CHECK_ST(le_check_bus_width(NULL, 128, msg, sizeof(msg)), LE_ERR_BAD_ARG);
    CHECK(strcmp(le_status_name(LE_ERR_BUS_WIDTH), "LE_ERR_BUS_WIDTH") == 0);
}

static void test_configure(void)
{
    static const fake_acc_t want[] = {
        WR(D_MODEL, 32), WR(N_HEADS, 2), WR(D_HEAD, 16), WR(D_FF, 64), WR(N_LAYERS, 2), WR(VOCAB, 97),
        WR(MAX_SEQ, 64), WR(W_TILE_ROWS, 12), WR(CTX_TILE, 8),
        WR(IMAGE_BASE_LO, 0x20000000u), WR(IMAGE_BASE_HI, 1), WR(KV_BASE_LO, 0x200078c0u), WR(KV_BASE_HI, 1),
        WR(IRQ_STATUS, 3), WR(IRQ_ENABLE, 3)};
    static const fake_acc_t upto_fail[] = {WR(D_MODEL, 32), WR(N_HEADS, 2), WR(D_HEAD, 16)};
    le_dev_t dev, blank;
    fake_t f;
    tiny_dev(&dev, &f);
    CHECK_ST(le_configure(&dev), LE_OK);
    CHECK_LOG(&f, want, "configure");
    /* KV_BASE carries into the high word */
    tiny_dev(&dev, &f);
    dev.cfg.image_base = 0xffffffc0u;
    CHECK_ST(le_configure(&dev), LE_OK);
    CHECK(f.log[11].val == 0x7880u && f.log[12].val == 1u && f.log[9].val == 0xffffffc0u && f.log[10].val == 0u);
    tiny_dev(&dev, &f);
    f.fail_at = 2;
    CHECK_ST(le_configure(&dev), LE_ERR_HAL);
    CHECK_LOG(&f, upto_fail, "configure, third write fails");
    memset(&blank, 0, sizeof(blank));
    CHECK_ST(le_configure(&blank), LE_ERR_BAD_ARG);
    CHECK_ST(le_configure(NULL), LE_ERR_BAD_ARG);
}

static void test_probe(void)
{
    static const fake_acc_t want[] = {RD(ID), RD(VERSION), RD(HW_PARAMS), RD(HW_MAX_DIMS)};
    le_dev_t dev;
    fake_t f;
    le_hw_info_t info;
    tiny_dev(&dev, &f);
    f.regs[OFF(ID) / 4] = 0x4C454E47u;
    f.regs[OFF(VERSION) / 4] = 0x00010003u;
    f.regs[OFF(HW_PARAMS) / 4] = 0x00101010u;              /* 16 layers, 16 heads, 16 lanes */
    f.regs[OFF(HW_MAX_DIMS) / 4] = 0x10000400u;            /* d_ff 4096, d_model 1024 */
    CHECK_ST(le_probe(&dev, &info), LE_OK);
    CHECK_LOG(&f, want, "probe");
    CHECK(info.lanes == 16 && info.max_n_heads == 16 && info.max_n_layers == 16);
    CHECK(info.max_d_model == 1024 && info.max_d_ff == 4096 && info.version == 0x00010003u);
    f.n = 0;
    f.regs[OFF(HW_PARAMS) / 4] = 0x00101008u;              /* an 8-lane engine, a 128-bit config */
    CHECK_ST(le_probe(&dev, &info), LE_ERR_HW_MISMATCH);
    f.regs[OFF(HW_PARAMS) / 4] = 0x00101010u;
    f.regs[OFF(VERSION) / 4] = 0x00020000u;
    CHECK_ST(le_probe(&dev, &info), LE_ERR_HW_MISMATCH);
    f.regs[OFF(VERSION) / 4] = 0x00010000u;
    f.regs[OFF(ID) / 4] = 0x474E454Cu;                     /* the image magic is not the CSR ID */
    CHECK_ST(le_probe(&dev, &info), LE_ERR_HW_MISMATCH);
    CHECK_ST(le_probe(&dev, NULL), LE_ERR_BAD_ARG);
    CHECK_ST(le_probe(NULL, &info), LE_ERR_BAD_ARG);
}

static void test_helpers(void)
{
    static const uint8_t frame[16] = {
        0x01, 0x00, 0x00, 0x00,  0xff, 0xff, 0xff, 0xff,  0x00, 0x00, 0x00, 0x80,  0xff, 0xff, 0xff, 0x7f};
    int32_t out[5] = {11, 11, 11, 11, 11};
    le_config_t c = tiny_config();
    le_status_t s;
    CHECK_ST(le_decode_logits(frame, sizeof(frame), out, 4), LE_OK);
    CHECK(out[0] == 1 && out[1] == -1 && out[2] == INT32_MIN && out[3] == INT32_MAX && out[4] == 11);
    CHECK_ST(le_decode_logits(frame, 15, out, 4), LE_ERR_BAD_ARG);
    CHECK_ST(le_decode_logits(NULL, 16, out, 4), LE_ERR_BAD_ARG);
    CHECK_ST(le_decode_logits(frame, 16, NULL, 4), LE_ERR_BAD_ARG);
    CHECK_ST(le_decode_logits(frame, 16, out, SIZE_MAX), LE_ERR_BAD_ARG);
    CHECK_ST(le_decode_logits(frame, 16, out, 3), LE_OK);   /* padding after 4 * vocab ignored */
    CHECK_EQ(le_logits_frame_bytes(&c), 400);
    c.axi_data_w = 64;  CHECK_EQ(le_logits_frame_bytes(&c), 392);
    c.axi_data_w = 256; CHECK_EQ(le_logits_frame_bytes(&c), 416);
    c.vocab = 8;        CHECK_EQ(le_logits_frame_bytes(&c), 32);
    c.axi_data_w = 32;  CHECK_EQ(le_logits_frame_bytes(&c), 0);
    CHECK_EQ(le_logits_frame_bytes(NULL), 0);
    for (s = LE_OK; s <= LE_ERR_X_TLAST_LATE; s = (le_status_t)(s + 1)) {
        CHECK(strncmp(le_status_name(s), "LE_", 3) == 0 && strcmp(le_status_name(s), "LE_ERR_?") != 0);
    }
    for (s = LE_ERR_UNKNOWN_CODE; s <= LE_ERR_BUS_WIDTH; s = (le_status_t)(s + 1)) {
        CHECK(strncmp(le_status_name(s), "LE_ERR_", 7) == 0 && strcmp(le_status_name(s), "LE_ERR_?") != 0);
    }
    CHECK(strcmp(le_status_name(LE_ERR_AXI_WRITE), "LE_ERR_AXI_WRITE") == 0);
    CHECK(strcmp(le_status_name((le_status_t)7), "LE_ERR_?") == 0);
}

void test_setup(void)
{
    test_init();
    test_header();
    test_bus_width();
    test_configure();
    test_probe();
    test_helpers();
}

/* ---- soft reset (S1-S2) ------------------------------------------------------------------------------ */
void test_reset(void)
{
    static const fake_acc_t clears[] = {WR(CTRL, 2), RD(STATUS), RD(STATUS), RD(STATUS)};
    static const fake_acc_t never[] = {WR(CTRL, 2), RD(STATUS), RD(STATUS), RD(STATUS), RD(STATUS), RD(STATUS)};
    static const fake_acc_t no_polls[] = {WR(CTRL, 2)};
    const uint32_t draining[] = {ST_BUSY, ST_BUSY | ST_ERROR | ST_CODE(3), 0};
    const uint32_t stuck = ST_ERROR | ST_CODE(4);
    le_dev_t dev, blank;
    fake_t f;

    tiny_dev(&dev, &f);
    fake_status(&f, 3, draining);
    CHECK_ST(le_soft_reset(&dev), LE_OK);
    CHECK_LOG(&f, clears, "soft reset, STATUS 0 at the third poll");
    CHECK_EQ(dev.last_status, 0);

    tiny_dev(&dev, &f);
    dev.reset_polls = 5;
    fake_status(&f, 1, &stuck);
    CHECK_ST(le_soft_reset(&dev), LE_ERR_RESET_TIMEOUT);
    CHECK_LOG(&f, never, "soft reset, STATUS never clears");
    CHECK_EQ(dev.last_status, stuck);

    tiny_dev(&dev, &f);
    dev.reset_polls = 0;
    CHECK_ST(le_soft_reset(&dev), LE_ERR_RESET_TIMEOUT);
    CHECK_LOG(&f, no_polls, "soft reset without a poll budget");

    tiny_dev(&dev, &f);
    f.fail_at = 1;
    CHECK_ST(le_soft_reset(&dev), LE_ERR_HAL);
    CHECK_EQ(f.n, 2);

    memset(&blank, 0, sizeof(blank));
    CHECK_ST(le_soft_reset(&blank), LE_ERR_BAD_ARG);
    CHECK_ST(le_soft_reset(NULL), LE_ERR_BAD_ARG);
}
