// Descent's binding of Gloo (https://github.com/facebookincubator/gloo): plain functions over
// Gloo's collectives, for JavaCPP to wrap (dev.descent.distributed.gloo.GlooNative). Compiled at
// first use against the machine's Gloo (Debian: libgloo-dev). Gloo does the communication; this
// file only selects the element type and the reduction, and sets each call's timeout. Errors
// are Gloo's exceptions (what() names the peer), which JavaCPP rethrows as RuntimeExceptions.
#pragma once

#include <gloo/allgather.h>
#include <gloo/allreduce.h>
#include <gloo/barrier.h>
#include <gloo/broadcast.h>
#include <gloo/math.h>
#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/store.h>
#include <gloo/transport/tcp/device.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

// Element types and reductions, as GlooNative numbers them.
enum { DESCENT_FLOAT32 = 0, DESCENT_FLOAT64 = 1, DESCENT_INT32 = 2, DESCENT_INT64 = 3 };
enum { DESCENT_SUM = 0, DESCENT_AVERAGE = 1, DESCENT_MAX = 2 };
// Gloo's all-reduce algorithms: its ring, or its bcube (recursive halving and doubling when the
// world size is a power of two; a direct reduce-scatter and all-gather when it does not factor).
enum { DESCENT_RING = 0, DESCENT_BCUBE = 1 };

// The rendezvous store lives in Java (dev.descent.distributed.store): Gloo reaches it through
// these callbacks while it connects its full mesh.
typedef void (*DescentStoreSet)(const char* key, const char* data, long long size);
typedef void (*DescentStoreGet)(const char* key, void* result);

// Called back from Java's DescentStoreGet to hand over the value.
inline void descent_gloo_store_result(void* result, const char* data, long long size) {
    static_cast<std::vector<char>*>(result)->assign(data, data + size);
}

class DescentJavaStore : public gloo::rendezvous::Store {
 public:
    DescentJavaStore(DescentStoreSet set, DescentStoreGet get) : set_(set), get_(get) {}

    void set(const std::string& key, const std::vector<char>& data) override {
        set_(key.c_str(), data.data(), (long long) data.size());
    }

    std::vector<char> get(const std::string& key) override {
        std::vector<char> out;
        get_(key.c_str(), &out);
        return out;
    }

    void wait(const std::vector<std::string>& keys) override {
        for (const auto& k : keys) {
            get(k);
        }
    }

    void wait(const std::vector<std::string>& keys, const std::chrono::milliseconds&) override {
        wait(keys);   // the Java side waits with the group's timeout
    }

 private:
    DescentStoreSet set_;
    DescentStoreGet get_;
};

struct DescentGlooGroup {
    std::shared_ptr<gloo::rendezvous::Context> context;
    int algorithm;
};

// Connects rank `rank` of `size` over TCP, bound to `hostname` (an address of this machine the
// other ranks can reach) or, when `iface` is not empty, to that network interface.
inline DescentGlooGroup* descent_gloo_connect(int rank, int size, const char* hostname, const char* iface,
        int algorithm, long long timeoutMs, DescentStoreSet set, DescentStoreGet get) {
    gloo::transport::tcp::attr attr;
    if (iface != nullptr && iface[0] != '\0') {
        attr.iface = iface;
    } else {
        attr.hostname = hostname;
    }
    auto device = gloo::transport::tcp::CreateDevice(attr);
    auto context = std::make_shared<gloo::rendezvous::Context>(rank, size);
    context->setTimeout(std::chrono::milliseconds(timeoutMs));
    DescentJavaStore store(set, get);
    context->connectFullMesh(store, device);
    return new DescentGlooGroup{context, algorithm};
}

inline void descent_gloo_close(DescentGlooGroup* group) {
    delete group;
}

template <typename T>
void descent_reduction(int op, gloo::AllreduceOptions& opts) {
    using Fn = void (*)(void*, const void*, const void*, size_t);
    opts.setReduceFunction(op == DESCENT_MAX ? static_cast<Fn>(&gloo::max<T>) : static_cast<Fn>(&gloo::sum<T>));
}

template <typename T>
void descent_divide(void* data, long long count, int size) {
    T* x = static_cast<T*>(data);
    for (long long i = 0; i < count; i++) {
        x[i] = x[i] / static_cast<T>(size);   // one division, rounded once, as a single process's mean
    }
}

template <typename T>
void descent_allreduce_typed(DescentGlooGroup* g, void* data, long long count, int op, long long timeoutMs) {
    gloo::AllreduceOptions opts(g->context);
    opts.setOutput(static_cast<T*>(data), (size_t) count);
    descent_reduction<T>(op, opts);
    opts.setAlgorithm(g->algorithm == DESCENT_BCUBE ? gloo::AllreduceOptions::Algorithm::BCUBE
                                                    : gloo::AllreduceOptions::Algorithm::RING);
    opts.setTimeout(std::chrono::milliseconds(timeoutMs));
    gloo::allreduce(opts);
    if (op == DESCENT_AVERAGE) {
        descent_divide<T>(data, count, g->context->size);
    }
}

inline void descent_gloo_allreduce(DescentGlooGroup* g, void* data, long long count, int dtype, int op,
        long long timeoutMs) {
    switch (dtype) {
        case DESCENT_FLOAT32: descent_allreduce_typed<float>(g, data, count, op, timeoutMs); break;
        case DESCENT_FLOAT64: descent_allreduce_typed<double>(g, data, count, op, timeoutMs); break;
        case DESCENT_INT32: descent_allreduce_typed<int32_t>(g, data, count, op, timeoutMs); break;
        case DESCENT_INT64: descent_allreduce_typed<int64_t>(g, data, count, op, timeoutMs); break;
        default: throw std::invalid_argument("descent_gloo_allreduce: unknown dtype " + std::to_string(dtype));
    }
}

inline long long descent_element_size(int dtype) {
    return dtype == DESCENT_FLOAT32 || dtype == DESCENT_INT32 ? 4 : 8;
}

inline void descent_gloo_broadcast(DescentGlooGroup* g, void* data, long long count, int dtype, int root,
        long long timeoutMs) {
    gloo::BroadcastOptions opts(g->context);
    opts.setOutput(static_cast<char*>(data), (size_t) (count * descent_element_size(dtype)));
    opts.setRoot(root);
    opts.setTimeout(std::chrono::milliseconds(timeoutMs));
    gloo::broadcast(opts);
}

inline void descent_gloo_allgather(DescentGlooGroup* g, void* input, void* output, long long count, int dtype,
        long long timeoutMs) {
    long long bytes = count * descent_element_size(dtype);
    gloo::AllgatherOptions opts(g->context);
    opts.setInput(static_cast<char*>(input), (size_t) bytes);
    opts.setOutput(static_cast<char*>(output), (size_t) (bytes * g->context->size));
    opts.setTimeout(std::chrono::milliseconds(timeoutMs));
    gloo::allgather(opts);
}

// Gloo 0.5 has no reduce-scatter with per-call options (its ReduceScatterHalvingDoubling takes
// the context's timeout), so this is Gloo's all-reduce on a copy of the input, keeping this
// rank's block: the ring all-reduce is a reduce-scatter followed by an all-gather, so it moves
// twice the bytes a dedicated reduce-scatter would.
inline void descent_gloo_reduce_scatter(DescentGlooGroup* g, void* input, void* output, long long count, int dtype,
        int op, long long timeoutMs) {
    long long size = g->context->size;
    long long bytes = count * descent_element_size(dtype);
    std::vector<char> all((size_t) (bytes * size));
    std::memcpy(all.data(), input, (size_t) (bytes * size));
    descent_gloo_allreduce(g, all.data(), count * size, dtype, op, timeoutMs);
    std::memcpy(output, all.data() + bytes * g->context->rank, (size_t) bytes);
}

inline void descent_gloo_barrier(DescentGlooGroup* g, long long timeoutMs) {
    gloo::BarrierOptions opts(g->context);
    opts.setTimeout(std::chrono::milliseconds(timeoutMs));
    gloo::barrier(opts);
}
