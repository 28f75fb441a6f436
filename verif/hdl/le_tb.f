// le_tb_top: the pyuvm environment's testbench (rtl/layer_engine.f comes first, then these).
verif/hdl/le_axi_bfm_pkg.sv
verif/hdl/le_axi_bfm_mem.sv
verif/hdl/le_axi_bfm_rd.sv
verif/hdl/le_axi_bfm_wr.sv
verif/hdl/le_axi_slave_bfm.sv
verif/hdl/le_axis_src_bfm.sv
verif/hdl/le_axis_sink_bfm.sv
verif/hdl/le_probe.sv
verif/hdl/le_axi4_checker.sv
verif/hdl/le_axil_checker.sv
verif/hdl/le_axis_checker.sv
verif/hdl/le_perf_checker.sv
verif/hdl/le_axil_master_bfm.sv
verif/hdl/le_axil_monitor.sv
verif/hdl/le_tb_top.sv
verif/hdl/le_bind.sv
