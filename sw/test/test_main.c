/* test_main.c - runs every unit test of the driver against the fake HAL; exit status 1 on any failure. */
#include <stdio.h>

#include "check.h"

static int g_checks;
static int g_failures;

void check_true(int ok, const char *expr, const char *file, int line)
{
    g_checks++;
    if (!ok) {
        g_failures++;
        fprintf(stderr, "%s:%d: CHECK(%s) failed\n", file, line, expr);
    }
}

void check_eq(unsigned long long got, unsigned long long want, const char *expr, const char *file, int line)
{
    g_checks++;
    if (got != want) {
        g_failures++;
        fprintf(stderr, "%s:%d: %s = 0x%llx, expected 0x%llx\n", file, line, expr, got, want);
    }
}

void check_status(le_status_t got, le_status_t want, const char *expr, const char *file, int line)
{
    g_checks++;
    if (got != want) {
        g_failures++;
        fprintf(stderr, "%s:%d: %s = %s, expected %s\n", file, line, expr, le_status_name(got),
                le_status_name(want));
    }
}

le_config_t tiny_config(void)
{
    le_config_t c;
    c.d_model = T_D_MODEL;
    c.n_heads = 2;
    c.d_head = 16;
    c.d_ff = 64;
    c.n_layers = 2;
    c.vocab = 97;
    c.max_seq = 64;
    c.w_tile_rows = 12;
    c.ctx_tile = 8;
    c.axi_data_w = 128;
    c.image_base = T_IMAGE_BASE;
    c.kv_offset = T_KV_OFFSET;
    return c;
}

void tiny_dev(le_dev_t *dev, fake_t *f)
{
    le_config_t c = tiny_config();
    fake_init(f);
    CHECK_ST(le_init(dev, &f->hal, &c), LE_OK);
}

int main(void)
{
    test_setup();
    test_token();
    test_reset();
    printf("le_driver unit tests: %d checks, %d failed\n", g_checks, g_failures);
    return g_failures == 0 ? 0 : 1;
}
