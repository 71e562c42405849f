package io.multiscope.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.multiscope.device.ProvisioningEvent.Type;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStateStoreTest extends StateStoreContract {

    @TempDir
    Path dir;

    private int stores;

    @Override
    protected ProvisioningStateStore newStore() {
        return FileStateStore.at(dir.resolve("store-" + stores++ + "/state.json"));
    }

    @Test
    void writesAtomicallyAndLeavesNoTemporaryFiles() throws Exception {
        Path file = dir.resolve("state.json");
        FileStateStore store = FileStateStore.at(file);
        store.write("one".getBytes(StandardCharsets.UTF_8));
        store.write("two".getBytes(StandardCharsets.UTF_8));

        assertThat(Files.readString(file)).isEqualTo("two");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("state.json");
        }
    }

    @Test
    void theFileAndADirectoryItCreatesAreForTheOwnerOnly() throws Exception {
        Path file = dir.resolve("private/state.json");
        FileStateStore.at(file).write(new byte[] {1});
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
                    .isEqualTo("rwx------");
        }
    }

    @Test
    void aFailedWriteThrowsLeavesWhatWasThereAndNoTemporaryFile() throws Exception {
        Path target = dir.resolve("blocked/state.json");
        FileStateStore store = FileStateStore.at(target);
        // Make the final rename impossible: the target has become a non-empty directory.
        Files.createDirectories(target.resolve("inside"));

        assertThatThrownBy(() -> store.write(new byte[] {2})).isInstanceOf(IOException.class);

        assertThat(target.resolve("inside")).isDirectory();
        try (Stream<Path> files = Files.list(target.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("state.json");
        }
    }

    @Test
    void refusesAPathThatCannotBeAStateFile() {
        assertThatIllegalArgumentException().isThrownBy(() -> FileStateStore.at(dir)).withMessageContaining(
                "directory");
    }

    @Test
    void aHugeFileIsReportedAsUnreadableNotLoaded() throws Exception {
        Path file = dir.resolve("state.json");
        Files.write(file, new byte[FileStateStore.MAX_BYTES + 1]);
        assertThatThrownBy(() -> FileStateStore.at(file).read()).isInstanceOf(IOException.class)
                .hasMessageContaining("larger than");
    }

    /** The provisioner's side: corrupt or unreadable state is reported and treated as not provisioned. */
    @Test
    void aCorruptStateFileIsReportedAndTheDeviceProvisionsAgain() throws Exception {
        try (TestEnvironment env = TestEnvironment.start("dps-a")) {
            Path file = dir.resolve("state.json");
            ProvisioningResult first = env.direct(env.device("corrupt-1", new RecordingListener()), "dps-a")
                    .stateStore(FileStateStore.at(file)).dpsStatusLookup(false).build().ensureProvisioned();
            String good = Files.readString(file);

            for (String corrupt : new String[] {"\u0000\u0000garbage", good.substring(0, good.length() / 2),
                    good.replace("\"version\":1", "\"version\":9"), ""}) {
                Files.writeString(file, corrupt, StandardCharsets.UTF_8);
                RecordingListener events = new RecordingListener();
                ProvisioningResult again = env.direct(env.device("corrupt-1", events), "dps-a")
                        .stateStore(FileStateStore.at(file)).dpsStatusLookup(false).build().ensureProvisioned();

                assertThat(again.isProvisioned()).as(corrupt).isTrue();
                assertThat(again.source()).contains(ProvisioningResult.Source.REGISTERED);
                assertThat(again.assignedHub()).isEqualTo(first.assignedHub());
                if (!corrupt.isEmpty()) {
                    assertThat(events.of(Type.STATE_UNREADABLE)).as(corrupt).hasSize(1);
                }
                assertThat(Files.readString(file)).as("rewritten whole").contains("\"version\":1", "corrupt-1");
            }
        }
    }

    @Test
    void anUnreadableOrUnwritableStoreNeverCrashesTheDevice() throws Exception {
        try (TestEnvironment env = TestEnvironment.start("dps-a")) {
            ProvisioningStateStore broken = new ProvisioningStateStore() {
                @Override
                public Optional<byte[]> read() throws IOException {
                    throw new IOException("I/O error on the flash");
                }

                @Override
                public void write(byte[] state) throws IOException {
                    throw new IOException("read-only file system");
                }

                @Override
                public void clear() {
                }
            };
            RecordingListener events = new RecordingListener();
            ProvisioningResult result = env.direct(env.device("broken-store", events), "dps-a").stateStore(broken)
                    .build().ensureProvisioned();

            assertThat(result.isProvisioned()).isTrue();
            assertThat(events.of(Type.STATE_UNREADABLE)).hasSize(1);
            assertThat(events.of(Type.STATE_NOT_SAVED)).hasSize(1);
        }
    }

    @Test
    void aStateWrittenForAnotherEndpointIsIgnored() throws Exception {
        try (TestEnvironment env = TestEnvironment.start("dps-a", "dps-b")) {
            Path file = dir.resolve("state.json");
            env.direct(env.device("moved-scope", new RecordingListener()), "dps-a")
                    .stateStore(FileStateStore.at(file)).build().ensureProvisioned();

            // A firmware update points the device at another ID scope.
            RecordingListener events = new RecordingListener();
            ProvisioningResult result = env.direct(env.device("moved-scope", events), "dps-b")
                    .stateStore(FileStateStore.at(file)).build().ensureProvisioned();

            assertThat(events.of(Type.STATE_IGNORED)).hasSize(1);
            assertThat(result.idScope()).isEqualTo(env.instance("dps-b").idScope());
        }
    }
}
