"""uvm_test classes of the layer_engine environment; each module registers its tests with @pyuvm.test() and is
listed in tests/rtl/test_uvm_env.py TEST_MODULES (the launcher)."""
