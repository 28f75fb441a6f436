// The pyuvm env's build additions to verif/hdl/le_tb.f (regress/testlist.yaml build.filelists): the signals it
// reaches through VPI, instead of --public-flat-rw on the whole design (eda/listed_public.py) ...
verif/hdl/le_tb_public.vlt
// ... and the clock: main() (eda/le_vpi_main.cpp) drives le_tb_top's clk, 10 ns (verif/env/host.py CLK_NS), high
// from time 0: no Python, VPI timer or --timing scheduler per clock edge (docs/verification.md "Speed").
-CFLAGS
-DLE_MAIN_CLOCK_PS=10000
