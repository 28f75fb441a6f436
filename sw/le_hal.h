/*
 * le_hal.h - the hardware abstraction the layer-engine driver runs on.
 *
 * One struct of function pointers plus an opaque context pointer, so the same driver (le_driver.c)
 * runs on an SoC CPU (MMIO + DMA), in a testbench (a DPI or socket bridge), on the host against a
 * fake (sw/test/) or under Python through ctypes (tests/c_driver.py over models/golden_device.py).
 * The protocol the driver follows is docs/host_protocol.md.
 *
 * Every callback gets `ctx` as its first argument. Return codes: 0 = success, anything else = failure
 * (the driver maps it to LE_ERR_HAL; a HAL keeps its own detail in ctx).
 *
 * C99, no allocation; the driver never calls a NULL callback (le_init checks them).
 */
#ifndef LE_HAL_H
#define LE_HAL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* wait_irq budget meaning "wait forever" (the Python driver's timeout_s=None). */
#define LE_WAIT_FOREVER UINT32_MAX

/* wait_irq results */
#define LE_HAL_IRQ 0          /* the engine's irq output is high */
#define LE_HAL_TIMEOUT 1      /* the budget elapsed first */

typedef struct le_hal {
    void *ctx;

    /* 32-bit CSR read at byte offset `offset` of the engine's CSR block (4-byte aligned, < 0x80)
     * into *value. Non-zero on a bus error (SLVERR/DECERR or no response): the driver stops and
     * returns LE_ERR_HAL. */
    int (*read32)(void *ctx, uint32_t offset, uint32_t *value);

    /* 32-bit CSR write; returns once the write has taken effect (write response received), so a
     * following read32 observes its consequences (docs/host_protocol.md, "CSR accesses").
     * Non-zero on a bus error. */
    int (*write32)(void *ctx, uint32_t offset, uint32_t value);

    /* Start sending one X frame on s_axis_x: `n` bytes, byte i in lane i % bus_bytes of beat
     * i / bus_bytes, TKEEP all ones, TLAST on the final beat. May return before the frame is fully
     * accepted (a DMA started) or block until it is: an accepted token takes X without waiting for
     * its logits to be drained, so a blocking send cannot deadlock (docs/host_protocol.md, step 5).
     * A blocking implementation must bound its wait and return non-zero when it gives up. */
    int (*send_x)(void *ctx, const uint8_t *x, size_t n);

    /* Receive one logits frame from m_axis_logits into buf: exactly `n` bytes (whole beats, the
     * final beat's padding included), ending with the TLAST beat. Non-zero when the frame is not
     * exactly n bytes, its TLAST is misplaced, or the HAL's own budget elapsed. */
    int (*recv_logits)(void *ctx, uint8_t *buf, size_t n);

    /* Return LE_HAL_IRQ once the level-sensitive irq output is high (at once if it already is),
     * LE_HAL_TIMEOUT when `budget_us` microseconds elapse first (LE_WAIT_FOREVER: no budget).
     * A HAL without an interrupt line may poll IRQ_STATUS & IRQ_ENABLE here. */
    int (*wait_irq)(void *ctx, uint32_t budget_us);
} le_hal_t;

#ifdef __cplusplus
}
#endif

#endif /* LE_HAL_H */
