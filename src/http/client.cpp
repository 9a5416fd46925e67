#include <curl/curl.h>

#include <algorithm>
#include <deque>
#include <limits>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "gridbatch/error.hpp"
#include "gridbatch/http/http_client.hpp"
#include "transfer.hpp"

namespace gridbatch::http {
namespace {

// libcurl's global state is set up once per process, before the first
// handle, and left for process exit (cleanup would race other Clients).
void InitCurlOnce() {
  static const CURLcode result = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (result != CURLE_OK) {
    throw Error(kExitSoftware,
                std::string("cannot initialise libcurl: ") + curl_easy_strerror(result));
  }
}

void CheckMulti(CURLMcode code, const char* what) {
  if (code != CURLM_OK) {
    throw Error(kExitSoftware,
                std::string("libcurl ") + what + " failed: " + curl_multi_strerror(code));
  }
}

Response SetupFailure(CURLcode code) {
  Response response;
  response.transport_error = static_cast<int>(code);
  response.error = DescribeTransportError(code, 0, curl_easy_strerror(code));
  return response;
}

}  // namespace

// libcurl's handles, each freed by its own cleanup call.
struct EasyCleanup {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct MultiCleanup {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
using EasyHandle = std::unique_ptr<CURL, EasyCleanup>;
using MultiHandle = std::unique_ptr<CURLM, MultiCleanup>;

struct Client::Impl {
  struct Finished {
    Callback done;
    Response response;
  };

  explicit Impl(ClientOptions opts);
  ~Impl();

  EasyHandle AcquireEasy(CURLcode& error);
  const curl_slist* SharedHeaders(const Request& request);
  void Start(Request request, Callback done);
  void PerformTransfers(std::chrono::milliseconds max_wait);
  void CollectFinished();
  void RunCallbacks();
  void Observe(const Request& request, const Response& response) const;

  // A transfer on the wire and the handle it uses.
  struct Active {
    EasyHandle easy;
    std::unique_ptr<Transfer> transfer;
  };

  ClientOptions options;
  // Declared first, destroyed last: the easy handles go before it.
  MultiHandle multi;
  // Idle easy handles: reusing them keeps their TLS session and DNS caches.
  std::vector<EasyHandle> free_easy;
  std::unordered_map<CURL*, Active> active;
  // Done, callback not yet run. Callbacks run only after libcurl's queue is
  // drained, so they may Start() new requests safely.
  std::deque<Finished> finished;
  // Header lists by method and headers; few (a submit's, a status GET's).
  std::vector<HeaderList> header_lists;
  Observer observer;  // empty: none
};

// More distinct header sets than this are built per request instead.
constexpr std::size_t kMaxSharedHeaderLists = 8;

Client::Impl::Impl(ClientOptions opts) : options(std::move(opts)) {
  InitCurlOnce();
  multi.reset(curl_multi_init());
  if (multi == nullptr) {
    throw Error(kExitSoftware, "cannot create a libcurl multi handle");
  }
  curl_multi_setopt(multi.get(), CURLMOPT_MAX_HOST_CONNECTIONS, options.max_host_connections);
  // The connection cache must hold every connection we allow, or libcurl
  // closes idle ones and keep-alive is lost between bursts.
  curl_multi_setopt(multi.get(), CURLMOPT_MAXCONNECTS, options.max_host_connections);
}

Client::Impl::~Impl() {
  // Out of the multi handle before any handle is freed; the members'
  // destructors then free the easy handles, and the multi handle last.
  for (auto& [easy, transfer] : active) curl_multi_remove_handle(multi.get(), easy);
  active.clear();
  for (HeaderList& headers : header_lists) curl_slist_free_all(headers.list);
}

// A free handle, or a new one set up; null with `error` set if none can be had.
EasyHandle Client::Impl::AcquireEasy(CURLcode& error) {
  if (free_easy.empty()) {
    EasyHandle easy(curl_easy_init());
    error = easy == nullptr ? CURLE_OUT_OF_MEMORY : Transfer::ConfigureNewEasy(easy.get(), options);
    if (error != CURLE_OK) easy.reset();
    return easy;
  }
  EasyHandle easy = std::move(free_easy.back());
  free_easy.pop_back();
  return easy;
}

// The Client's list for `request`'s headers; null: none kept (too many
// kinds, or out of memory), so the Transfer builds its own and reports a
// failure.
const curl_slist* Client::Impl::SharedHeaders(const Request& request) {
  for (const HeaderList& known : header_lists) {
    if (known.method == request.method && known.headers == request.headers) return known.list;
  }
  curl_slist* list = nullptr;
  if (header_lists.size() >= kMaxSharedHeaderLists || !BuildHeaderList(request, list)) {
    return nullptr;
  }
  header_lists.push_back({request.method, request.headers, list});
  return list;
}

void Client::Impl::Start(Request request, Callback done) {
  CURLcode acquired = CURLE_OK;
  EasyHandle easy = AcquireEasy(acquired);
  if (easy == nullptr) {
    Response failure = SetupFailure(acquired);
    Observe(request, failure);
    finished.push_back({std::move(done), std::move(failure)});
    return;
  }
  const curl_slist* headers = SharedHeaders(request);
  auto transfer =
      std::make_unique<Transfer>(easy.get(), std::move(request), std::move(done), options, headers);
  CURLcode setup = transfer->setup_error();
  if (setup == CURLE_OK && curl_multi_add_handle(multi.get(), easy.get()) != CURLM_OK) {
    setup = CURLE_FAILED_INIT;
  }
  if (setup != CURLE_OK) {
    Response failure = SetupFailure(setup);
    Observe(transfer->request(), failure);
    finished.push_back({transfer->TakeCallback(), std::move(failure)});
    free_easy.push_back(std::move(easy));
    return;
  }
  CURL* key = easy.get();
  active.emplace(key, Active{std::move(easy), std::move(transfer)});
}

void Client::Impl::PerformTransfers(std::chrono::milliseconds max_wait) {
  int running = 0;
  CheckMulti(curl_multi_perform(multi.get(), &running), "multi_perform");
  CollectFinished();
  if (!finished.empty()) {
    return;
  }
  // Also sleeps when nothing is active: a loop may use Perform() to wait.
  const auto wait_ms = std::clamp<std::chrono::milliseconds::rep>(max_wait.count(), 0,
                                                                  std::numeric_limits<int>::max());
  CheckMulti(curl_multi_poll(multi.get(), nullptr, 0, static_cast<int>(wait_ms), nullptr),
             "multi_poll");
  CheckMulti(curl_multi_perform(multi.get(), &running), "multi_perform");
  CollectFinished();
}

void Client::Impl::CollectFinished() {
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi.get(), &queued)) {
    if (message->msg != CURLMSG_DONE) {
      continue;
    }
    // The message is invalid once its handle is removed: copy first.
    CURL* easy = message->easy_handle;
    const CURLcode result = message->data.result;
    auto it = active.find(easy);
    if (it == active.end()) {
      continue;
    }
    Transfer& transfer = *it->second.transfer;
    Response response = transfer.Finish(result);
    Observe(transfer.request(), response);
    finished.push_back({transfer.TakeCallback(), std::move(response)});
    curl_multi_remove_handle(multi.get(), easy);
    free_easy.push_back(std::move(it->second.easy));
    active.erase(it);
  }
}

void Client::Impl::Observe(const Request& request, const Response& response) const {
  if (!observer) return;
  observer(Exchange{request.method, request.url, request.body, response});
}

void Client::Impl::RunCallbacks() {
  // Only those finished so far: a callback that defers another outcome gets
  // it delivered by the next Perform(), not in a loop here.
  for (std::size_t n = finished.size(); n > 0 && !finished.empty(); --n) {
    Finished next = std::move(finished.front());
    finished.pop_front();  // before the call, so a throwing callback loses nothing else
    if (next.done) {
      next.done(std::move(next.response));
    }
  }
}

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Client::~Client() = default;

void Client::Start(Request request, Callback done) {
  impl_->Start(std::move(request), std::move(done));
}

void Client::Defer(Response response, Callback done) {
  impl_->finished.push_back({std::move(done), std::move(response)});
}

std::size_t Client::Perform(std::chrono::milliseconds max_wait) {
  if (impl_->finished.empty()) {
    impl_->PerformTransfers(max_wait);
  } else if (!impl_->active.empty()) {
    impl_->PerformTransfers(std::chrono::milliseconds(0));
  }
  impl_->RunCallbacks();
  return InFlight();
}

void Client::SetObserver(Observer observer) {
  impl_->observer = std::move(observer);
}

std::size_t Client::InFlight() const {
  return impl_->active.size() + impl_->finished.size();
}

}  // namespace gridbatch::http
