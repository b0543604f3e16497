// The reference for Descent's all-reduce bandwidth (bench/allreduce-bandwidth.sh): Gloo's own
// all-reduce called from C++, timed exactly as dev.descent.bench.distributed.AllReduceRank times
// Descent's: float32 sums over TCP on loopback, two sweeps over the sizes (the first untimed, as
// the JVM's compilers need), and in the second for each size a warm-up and then the median of
// REPEATS timed loops, printed as "size_bytes seconds_per_call". Build with
//   g++ -O2 -std=c++17 gloo_allreduce.cc -lgloo -o gloo_allreduce
// and run one process per rank: gloo_allreduce RANK SIZE STORE_DIR [ring|bcube] (Gloo's all-reduce
// algorithm; bcube by default, as Descent's).
#include <gloo/allreduce.h>
#include <gloo/math.h>
#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/file_store.h>
#include <gloo/transport/tcp/device.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

static bool bcube = true;

static double timedLoop(std::shared_ptr<gloo::Context>& context, std::vector<float>& data, int calls) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < calls; i++) {
        gloo::AllreduceOptions opts(context);
        opts.setOutput(data.data(), data.size());
        opts.setReduceFunction(static_cast<void (*)(void*, const void*, const void*, size_t)>(&gloo::sum<float>));
        opts.setAlgorithm(bcube ? gloo::AllreduceOptions::Algorithm::BCUBE : gloo::AllreduceOptions::Algorithm::RING);
        gloo::allreduce(opts);
    }
    std::chrono::duration<double> d = std::chrono::steady_clock::now() - start;
    return d.count() / calls;
}

int main(int argc, char** argv) {
    if (argc != 4 && argc != 5) {
        std::fprintf(stderr, "usage: gloo_allreduce RANK SIZE STORE_DIR [ring|bcube]\n");
        return 2;
    }
    bcube = argc == 4 || std::string(argv[4]) == "bcube";
    int rank = std::atoi(argv[1]);
    int size = std::atoi(argv[2]);
    gloo::transport::tcp::attr attr("127.0.0.1");
    auto device = gloo::transport::tcp::CreateDevice(attr);
    gloo::rendezvous::FileStore store(argv[3]);
    auto context = std::make_shared<gloo::rendezvous::Context>(rank, size);
    context->connectFullMesh(store, device);
    std::shared_ptr<gloo::Context> ctx = context;
    const int repeats = 5;
    for (int sweep = 0; sweep < 2; sweep++) {
        for (long bytes = 1L << 12; bytes <= 1L << 26; bytes <<= 2) {
            std::vector<float> data(bytes / 4, 1.0f);
            int calls = (int) std::max(4L, std::min(200L, (64L << 20) / bytes));
            timedLoop(ctx, data, calls);   // warm-up
            std::vector<double> times;
            for (int r = 0; r < repeats; r++) {
                times.push_back(timedLoop(ctx, data, calls));
            }
            std::sort(times.begin(), times.end());
            if (rank == 0 && sweep == 1) {
                std::printf("%ld %.9f\n", bytes, times[repeats / 2]);
                std::fflush(stdout);
            }
        }
    }
    return 0;
}
