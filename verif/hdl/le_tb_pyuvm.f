// The pyuvm env's build additions to verif/hdl/le_tb.f (regress/testlist.yaml build.filelists): the public signals
// it reaches through VPI, instead of --public-flat-rw on the whole design (eda/listed_public.py).
verif/hdl/le_tb_public.vlt
