package io.multiscope.benchmarks;

/**
 * The {@code --devices N --threads N --rounds N} every fleet harness takes.
 *
 * @param devices fleet size per round
 * @param threads caller threads
 * @param rounds measured rounds (the best is reported)
 */
record BenchmarkArgs(int devices, int threads, int rounds) {

    BenchmarkArgs {
        if (devices < 1 || threads < 1 || rounds < 1) {
            throw new IllegalArgumentException("--devices, --threads and --rounds must be at least 1");
        }
    }

    /** {@code args} over the given defaults. */
    static BenchmarkArgs parse(String[] args, int devices, int threads, int rounds) {
        for (int i = 0; i < args.length; i++) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value; use --devices N --threads N --rounds N");
            }
            switch (args[i]) {
                case "--devices" -> devices = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; use --devices N --threads N --rounds N");
            }
        }
        return new BenchmarkArgs(devices, threads, rounds);
    }
}
