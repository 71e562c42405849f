package io.multiscope.device;

class InMemoryStateStoreTest extends StateStoreContract {

    @Override
    protected ProvisioningStateStore newStore() {
        return new InMemoryStateStore();
    }
}
