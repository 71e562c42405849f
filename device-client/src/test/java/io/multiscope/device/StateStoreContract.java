package io.multiscope.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What every {@link ProvisioningStateStore} must do; each implementation's test extends this. */
abstract class StateStoreContract {

    protected abstract ProvisioningStateStore newStore() throws Exception;

    @Test
    void readsNothingBeforeTheFirstWrite() throws Exception {
        assertThat(newStore().read()).isEmpty();
    }

    @Test
    void readsBackWhatWasLastWritten() throws Exception {
        ProvisioningStateStore store = newStore();
        store.write("first".getBytes(StandardCharsets.UTF_8));
        store.write("second".getBytes(StandardCharsets.UTF_8));
        assertThat(store.read()).hasValueSatisfying(b -> assertThat(new String(b, StandardCharsets.UTF_8))
                .isEqualTo("second"));
    }

    @Test
    void keepsItsOwnCopy() throws Exception {
        ProvisioningStateStore store = newStore();
        byte[] bytes = "state".getBytes(StandardCharsets.UTF_8);
        store.write(bytes);
        bytes[0] = 'X';
        assertThat(new String(store.read().orElseThrow(), StandardCharsets.UTF_8)).isEqualTo("state");
    }

    @Test
    void clearForgetsAndMayBeRepeated() throws Exception {
        ProvisioningStateStore store = newStore();
        store.write(new byte[] {1});
        store.clear();
        store.clear();
        assertThat(store.read()).isEmpty();
    }
}
