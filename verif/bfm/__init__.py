"""Split-transactor BFMs, HVL side: Python proxies of the SystemVerilog BFMs in verif/hdl/."""
