"""uvm_test classes of the layer_engine environment; each module registers its tests with @pyuvm.test(). A test
runs when regress/testlist.yaml names its class and module (`regress run`, pytest's tests/rtl/test_uvm_testlist.py,
regress.launch.run_listed)."""
