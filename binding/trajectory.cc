// JS access to the native readers and writers: batches of frames as TypedArrays, read on a
// worker thread (AsyncWorker) so the event loop stays free on long files.
#include <napi.h>

#include <algorithm>
#include <atomic>
#include <array>
#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>

#include "cancel.hpp"
#include "errors.hpp"
#include "ionfield/scan.hpp"
#include "ionfield/trajectory.hpp"
#include "ionfield/unwrap.hpp"
#include "module.hpp"

namespace ionfield::binding {
namespace {

struct SelectionOptions {
  std::string format = "auto";
  long long start = 0, stop = -1, stride = 1;
  bool unwrap = true;
  ReadPolicy policy;
};

SelectionOptions selection_options(const Napi::Value& value) {
  SelectionOptions o;
  if (!value.IsObject()) return o;
  Napi::Object obj = value.As<Napi::Object>();
  if (obj.Has("format") && obj.Get("format").IsString()) o.format = obj.Get("format").As<Napi::String>();
  if (obj.Has("start") && obj.Get("start").IsNumber()) o.start = obj.Get("start").As<Napi::Number>().Int64Value();
  if (obj.Has("stop") && obj.Get("stop").IsNumber()) o.stop = obj.Get("stop").As<Napi::Number>().Int64Value();
  if (obj.Has("stride") && obj.Get("stride").IsNumber()) o.stride = obj.Get("stride").As<Napi::Number>().Int64Value();
  if (obj.Has("unwrap") && obj.Get("unwrap").IsBoolean()) o.unwrap = obj.Get("unwrap").As<Napi::Boolean>();
  if (obj.Has("allow") && obj.Get("allow").IsArray()) {
    Napi::Array allow = obj.Get("allow").As<Napi::Array>();
    for (uint32_t i = 0; i < allow.Length(); ++i) {
      const std::string name = allow.Get(i).ToString();
      if (name == "box-jumps") o.policy.allow_box_jumps = true;
      else if (name == "dcd-nsavc") o.policy.allow_dcd_nsavc = true;
      else if (name == "skewed-cells") o.policy.allow_skewed_cells = true;
      else throw Napi::TypeError::New(value.Env(), "allow: unknown override '" + name + "' (known: box-jumps, dcd-nsavc, skewed-cells)");
    }
  }
  return o;
}

Napi::Float64Array float64_array(Napi::Env env, const std::vector<double>& v) {
  Napi::Float64Array a = Napi::Float64Array::New(env, v.size());
  if (!v.empty()) std::memcpy(a.Data(), v.data(), v.size() * sizeof(double));
  return a;
}

Napi::Array string_array(Napi::Env env, const std::vector<std::string>& v) {
  Napi::Array a = Napi::Array::New(env, v.size());
  for (std::size_t i = 0; i < v.size(); ++i) a.Set(static_cast<uint32_t>(i), v[i]);
  return a;
}

Napi::Object box_object(Napi::Env env, const Box& b) {
  Napi::Object o = Napi::Object::New(env);
  std::vector<double> h(9);
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 3; ++k) h[3 * i + k] = b.h[i][k];
  o.Set("matrix", float64_array(env, h));
  o.Set("origin", float64_array(env, {b.origin[0], b.origin[1], b.origin[2]}));
  const Vec3 l = b.lengths(), a = b.angles_degrees();
  o.Set("lengths", float64_array(env, {l[0], l[1], l[2]}));
  o.Set("angles", float64_array(env, {a[0], a[1], a[2]}));
  o.Set("volume", b.volume());
  o.Set("orthorhombic", b.is_orthorhombic(1e-9));
  Napi::Array p = Napi::Array::New(env, 3);
  for (uint32_t k = 0; k < 3; ++k) p.Set(k, b.periodic[k]);
  o.Set("periodic", p);
  return o;
}

// ---------------------------------------------------------------- reader

class NativeTrajectory : public Napi::ObjectWrap<NativeTrajectory> {
 public:
  static void Register(Napi::Env env, Napi::Object exports) {
    Napi::Function cls = DefineClass(env, "NativeTrajectory",
                                     {InstanceMethod("readBatch", &NativeTrajectory::ReadBatch),
                                      InstanceMethod("format", &NativeTrajectory::Format),
                                      InstanceMethod("close", &NativeTrajectory::Close),
                                      InstanceMethod("unwrapReport", &NativeTrajectory::UnwrapReport)});
    exports.Set("NativeTrajectory", cls);
  }

  explicit NativeTrajectory(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeTrajectory>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "NativeTrajectory(path, options)");
    const SelectionOptions o = selection_options(info.Length() > 1 ? info[1] : env.Undefined());
    unwrap_ = o.unwrap;
    try {
      frames_ = std::make_unique<FrameSelection>(open_trajectory(info[0].As<Napi::String>(), o.format, o.policy), o.start,
                                                 o.stop, o.stride, o.policy);
    } catch (...) {
      throw error_from_current_exception(env);
    }
  }

  struct Batch {
    std::size_t frames = 0, natoms = 0;
    std::vector<double> positions, boxes, origins, steps, times, charges, ids, molecules, masses;
    std::vector<int32_t> images;
    std::vector<std::string> types;
    bool has_box = false, unwrapped = false;
    std::array<bool, 3> periodic{true, true, true};
  };

  // Runs on a worker thread: reads up to max_frames frames into one contiguous batch.
  void read_batch(std::size_t max_frames, Batch& b) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (close_after_read_) frames_.reset();
    if (!frames_) throw UsageError("the trajectory reader is closed");
    // A batch holds at most max_frames frames and, for very large systems, about 64 MiB of
    // positions (at least one frame), so memory stays bounded whatever the atom count.
    constexpr std::size_t kMaxBatchBytes = std::size_t(64) << 20;
    for (std::size_t k = 0; k < max_frames; ++k) {
      if (b.frames > 0 && (b.positions.size() + 3 * b.natoms) * sizeof(double) > kMaxBatchBytes) break;
      if (!frames_->read_next(frame_)) break;
      if (unwrap_) unwrapper_.apply(frame_);
      if (b.frames == 0) {
        b.natoms = frame_.natoms;
        b.types = frame_.types;
        b.charges = frame_.charges;
        b.ids.assign(frame_.ids.begin(), frame_.ids.end());
        b.molecules.assign(frame_.molecules.begin(), frame_.molecules.end());
        b.masses = frame_.masses;
        b.has_box = frame_.has_box;
        b.periodic = frame_.box.periodic;
        b.positions.reserve(std::min(max_frames * 3 * b.natoms, std::max(3 * b.natoms, kMaxBatchBytes / sizeof(double))));
      }
      b.unwrapped = frame_.coordinates == CoordinateKind::Unwrapped;
      b.positions.insert(b.positions.end(), frame_.positions.begin(), frame_.positions.end());
      if (!unwrap_) b.images.insert(b.images.end(), frame_.images.begin(), frame_.images.end());
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) b.boxes.push_back(frame_.has_box ? frame_.box.h[i][j] : std::nan(""));
      for (int i = 0; i < 3; ++i) b.origins.push_back(frame_.box.origin[i]);
      b.steps.push_back(static_cast<double>(frame_.step));
      b.times.push_back(frame_.time);
      ++b.frames;
    }
    if (close_after_read_) frames_.reset();
  }

  Napi::Object batch_object(Napi::Env env, const Batch& b) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("frames", static_cast<double>(b.frames));
    o.Set("natoms", static_cast<double>(b.natoms));
    o.Set("positions", float64_array(env, b.positions));
    o.Set("boxes", b.has_box ? float64_array(env, b.boxes) : env.Null());
    o.Set("origins", float64_array(env, b.origins));
    o.Set("steps", float64_array(env, b.steps));
    o.Set("times", float64_array(env, b.times));
    o.Set("types", b.types.empty() ? env.Null() : string_array(env, b.types).As<Napi::Value>());
    o.Set("charges", b.charges.empty() ? env.Null() : float64_array(env, b.charges).As<Napi::Value>());
    o.Set("ids", b.ids.empty() ? env.Null() : float64_array(env, b.ids).As<Napi::Value>());
    // Of the batch's first frame, like types and charges (a topology: the same in every frame).
    o.Set("molecules", b.molecules.empty() ? env.Null() : float64_array(env, b.molecules).As<Napi::Value>());
    o.Set("masses", b.masses.empty() ? env.Null() : float64_array(env, b.masses).As<Napi::Value>());
    if (!b.images.empty()) {
      Napi::Int32Array im = Napi::Int32Array::New(env, b.images.size());
      std::memcpy(im.Data(), b.images.data(), b.images.size() * sizeof(int32_t));
      o.Set("images", im);
    } else {
      o.Set("images", env.Null());
    }
    o.Set("unwrapped", b.unwrapped);
    Napi::Array p = Napi::Array::New(env, 3);
    for (uint32_t k = 0; k < 3; ++k) p.Set(k, b.periodic[k]);
    o.Set("periodic", p);
    return o;
  }

 private:
  class ReadBatchWorker : public Napi::AsyncWorker {
   public:
    ReadBatchWorker(Napi::Env env, NativeTrajectory* owner, Napi::Object owner_ref, std::size_t max_frames)
        : Napi::AsyncWorker(env), owner_(owner), max_frames_(max_frames), deferred_(Napi::Promise::Deferred::New(env)) {
      owner_ref_ = Napi::Persistent(owner_ref);  // keep the reader alive while the worker runs
    }
    Napi::Promise promise() { return deferred_.Promise(); }
    void Execute() override {
      try {
        owner_->read_batch(max_frames_, batch_);
      } catch (...) {
        error_ = std::current_exception();
      }
    }
    void OnOK() override {
      Napi::Env env = Env();
      if (error_) deferred_.Reject(error_from_exception(env, error_).Value());
      else if (batch_.frames == 0) deferred_.Resolve(env.Null());
      else deferred_.Resolve(owner_->batch_object(env, batch_));
    }

   private:
    NativeTrajectory* owner_;
    Napi::ObjectReference owner_ref_;
    std::size_t max_frames_;
    Napi::Promise::Deferred deferred_;
    Batch batch_;
    std::exception_ptr error_;
  };

  Napi::Value ReadBatch(const Napi::CallbackInfo& info) {
    const double requested = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : 1;
    const std::size_t max_frames = requested < 1 ? 1 : static_cast<std::size_t>(requested);
    auto* worker = new ReadBatchWorker(info.Env(), this, info.This().As<Napi::Object>(), max_frames);
    Napi::Promise p = worker->promise();
    worker->Queue();
    return p;
  }

  Napi::Value Format(const Napi::CallbackInfo& info) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!frames_) throw Napi::Error::New(info.Env(), "the trajectory reader is closed");
    return Napi::String::New(info.Env(), frames_->reader().format());
  }

  // Releases the reader (file handle, inflate buffers) now rather than at garbage collection. A
  // batch being read holds the mutex; then the worker releases the reader when it finishes.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    std::unique_lock<std::mutex> lock(mutex_, std::try_to_lock);
    if (lock.owns_lock()) frames_.reset();
    else close_after_read_ = true;
    return info.Env().Undefined();
  }

  Napi::Value UnwrapReport(const Napi::CallbackInfo& info) {
    std::lock_guard<std::mutex> lock(mutex_);
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("method", unwrap_ ? unwrap_method_name(unwrapper_.method()) : "none");
    o.Set("suspiciousMoves", static_cast<double>(unwrapper_.suspicious_moves()));
    o.Set("firstSuspiciousFrame", static_cast<double>(unwrapper_.first_suspicious_frame()));
    return o;
  }

  std::unique_ptr<FrameSelection> frames_;
  Unwrapper unwrapper_;
  bool unwrap_ = true;
  std::atomic<bool> close_after_read_{false};
  Frame frame_;
  std::mutex mutex_;  // one batch at a time per reader
};

// ---------------------------------------------------------------- scan

class ScanWorker : public Napi::AsyncProgressWorker<long long> {
 public:
  ScanWorker(Napi::Env env, std::string path, SelectionOptions options, Napi::Function on_progress, CancelFlag cancel)
      : Napi::AsyncProgressWorker<long long>(env), path_(std::move(path)), options_(std::move(options)), cancel_(std::move(cancel)),
        deferred_(Napi::Promise::Deferred::New(env)) {
    if (!on_progress.IsEmpty()) progress_ = Napi::Persistent(on_progress);
  }
  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute(const ExecutionProgress& progress) override {
    try {
      FrameSelection frames(open_trajectory(path_, options_.format, options_.policy), options_.start, options_.stop,
                            options_.stride, options_.policy);
      summary_ = scan_trajectory(frames, [&](long long n) {
        progress.Send(&n, 1);
        return !cancel_->load();  // false stops the scan (every 64 frames) with an error
      });
    } catch (...) {
      error_ = std::current_exception();
    }
  }
  void OnProgress(const long long* data, size_t count) override {
    if (!progress_.IsEmpty() && count > 0) progress_.Call({Napi::Number::New(Env(), static_cast<double>(data[count - 1]))});
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (error_) {
      deferred_.Reject(error_from_exception(env, error_).Value());
      return;
    }
    const TrajectorySummary& s = summary_;
    Napi::Object o = Napi::Object::New(env);
    o.Set("format", s.format);
    o.Set("frames", static_cast<double>(s.frames));
    o.Set("atoms", static_cast<double>(s.natoms));
    Napi::Array species = Napi::Array::New(env, s.species.size());
    for (std::size_t i = 0; i < s.species.size(); ++i) {
      Napi::Object e = Napi::Object::New(env);
      e.Set("label", s.species[i].first);
      e.Set("count", static_cast<double>(s.species[i].second));
      species.Set(static_cast<uint32_t>(i), e);
    }
    o.Set("species", species);
    o.Set("firstBox", s.has_box ? box_object(env, s.first_box).As<Napi::Value>() : env.Null());
    o.Set("lastBox", s.has_box ? box_object(env, s.last_box).As<Napi::Value>() : env.Null());
    o.Set("boxVaries", s.box_varies);
    o.Set("firstStep", static_cast<double>(s.first_step));
    o.Set("stepInterval", static_cast<double>(s.step_interval));
    o.Set("firstTime", s.first_time);
    o.Set("timeInterval", s.time_interval);
    o.Set("hasIds", s.has_ids);
    o.Set("hasTypes", s.has_types);
    o.Set("hasCharges", s.has_charges);
    o.Set("hasImages", s.has_images);
    o.Set("declared", s.declared == CoordinateKind::Wrapped     ? "wrapped"
                      : s.declared == CoordinateKind::Unwrapped ? "unwrapped"
                                                                : "unknown");
    o.Set("wrapped", s.wrapped);
    o.Set("unwrapMethod", s.unwrap_method);
    o.Set("suspiciousMoves", static_cast<double>(s.suspicious_moves));
    o.Set("lengthUnit", s.length_unit);
    o.Set("timeUnit", s.time_unit);
    o.Set("unitStyle", s.unit_style);
    o.Set("firstSuspiciousFrame", static_cast<double>(s.first_suspicious_frame));
    deferred_.Resolve(o);
  }

 private:
  std::string path_;
  SelectionOptions options_;
  CancelFlag cancel_;
  Napi::Promise::Deferred deferred_;
  Napi::FunctionReference progress_;
  TrajectorySummary summary_;
  std::exception_ptr error_;
};

Napi::Value ScanTrajectory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "scanTrajectory(path, options, onProgress)");
  const SelectionOptions o = selection_options(info.Length() > 1 ? info[1] : env.Undefined());
  Napi::Function cb = info.Length() > 2 && info[2].IsFunction() ? info[2].As<Napi::Function>() : Napi::Function();
  auto* worker = new ScanWorker(env, info[0].As<Napi::String>(), o, cb, cancel_flag_from(info.Length() > 3 ? info[3] : env.Undefined()));
  Napi::Promise p = worker->promise();
  worker->Queue();
  return p;
}

// countFrames(path, {format, allow...}, cancel): the file's frame count by skipping frames
// (count_frames: header skips for XTC, seeks for DCD), on a worker thread.
class CountWorker : public Napi::AsyncWorker {
 public:
  CountWorker(Napi::Env env, std::string path, SelectionOptions options, CancelFlag cancel)
      : Napi::AsyncWorker(env), path_(std::move(path)), options_(std::move(options)), cancel_(std::move(cancel)),
        deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      auto reader = open_trajectory(path_, options_.format, options_.policy);
      frames_ = count_frames(*reader, [&](long long) { return !cancel_->load(); });
    } catch (...) {
      error_ = std::current_exception();
    }
  }
  void OnOK() override {
    if (error_) deferred_.Reject(error_from_exception(Env(), error_).Value());
    else deferred_.Resolve(Napi::Number::New(Env(), static_cast<double>(frames_)));
  }

 private:
  std::string path_;
  SelectionOptions options_;
  CancelFlag cancel_;
  Napi::Promise::Deferred deferred_;
  long long frames_ = 0;
  std::exception_ptr error_;
};

Napi::Value CountFrames(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "countFrames(path, options, cancel)");
  const SelectionOptions o = selection_options(info.Length() > 1 ? info[1] : env.Undefined());
  auto* worker = new CountWorker(env, info[0].As<Napi::String>(), o, cancel_flag_from(info.Length() > 2 ? info[2] : env.Undefined()));
  Napi::Promise p = worker->promise();
  worker->Queue();
  return p;
}

// ---------------------------------------------------------------- writer

class NativeTrajectoryWriter : public Napi::ObjectWrap<NativeTrajectoryWriter> {
 public:
  static void Register(Napi::Env env, Napi::Object exports) {
    Napi::Function cls = DefineClass(env, "NativeTrajectoryWriter",
                                     {InstanceMethod("write", &NativeTrajectoryWriter::Write),
                                      InstanceMethod("close", &NativeTrajectoryWriter::Close),
                                      InstanceMethod("abort", &NativeTrajectoryWriter::Abort)});
    exports.Set("NativeTrajectoryWriter", cls);
  }

  explicit NativeTrajectoryWriter(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeTrajectoryWriter>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "NativeTrajectoryWriter(path, format, {precision})");
    const std::string format = info.Length() > 1 && info[1].IsString() ? std::string(info[1].As<Napi::String>()) : "auto";
    WriterOptions options;
    if (info.Length() > 2 && info[2].IsObject()) {
      Napi::Object o = info[2].As<Napi::Object>();
      if (o.Has("precision") && o.Get("precision").IsNumber())
        options.xtc_precision = o.Get("precision").As<Napi::Number>().FloatValue();
    }
    try {
      writer_ = create_trajectory_writer(info[0].As<Napi::String>(), format, options);
    } catch (...) {
      throw error_from_current_exception(env);
    }
  }

 private:
  // write({natoms, positions, box?, origin?, step?, time?, types?, charges?, ids?, images?, unwrapped?})
  Napi::Value Write(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!writer_) throw Napi::Error::New(env, "writer is closed");
    if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "write(frame)");
    Napi::Object o = info[0].As<Napi::Object>();
    Frame f;
    Napi::Float64Array pos = o.Get("positions").As<Napi::Float64Array>();
    f.natoms = pos.ElementLength() / 3;
    f.positions.assign(pos.Data(), pos.Data() + 3 * f.natoms);
    if (o.Has("box") && o.Get("box").IsTypedArray()) {
      Napi::Float64Array h = o.Get("box").As<Napi::Float64Array>();
      if (h.ElementLength() != 9) throw Napi::TypeError::New(env, "box must have 9 numbers (cell vectors as rows)");
      f.has_box = true;
      for (int i = 0; i < 3; ++i)
        for (int k = 0; k < 3; ++k) f.box.h[i][k] = h[3 * i + k];
      if (o.Has("origin") && o.Get("origin").IsTypedArray()) {
        Napi::Float64Array org = o.Get("origin").As<Napi::Float64Array>();
        for (int k = 0; k < 3 && k < static_cast<int>(org.ElementLength()); ++k) f.box.origin[k] = org[k];
      }
    }
    if (o.Has("step") && o.Get("step").IsNumber()) f.step = o.Get("step").As<Napi::Number>().Int64Value();
    if (o.Has("time") && o.Get("time").IsNumber()) f.time = o.Get("time").As<Napi::Number>().DoubleValue();
    if (o.Has("types") && o.Get("types").IsArray()) {
      Napi::Array t = o.Get("types").As<Napi::Array>();
      for (uint32_t i = 0; i < t.Length(); ++i) f.types.push_back(t.Get(i).ToString());
    }
    if (o.Has("charges") && o.Get("charges").IsTypedArray()) {
      Napi::Float64Array q = o.Get("charges").As<Napi::Float64Array>();
      f.charges.assign(q.Data(), q.Data() + q.ElementLength());
    }
    if (o.Has("ids") && o.Get("ids").IsTypedArray()) {
      Napi::Float64Array ids = o.Get("ids").As<Napi::Float64Array>();
      for (std::size_t i = 0; i < ids.ElementLength(); ++i) f.ids.push_back(static_cast<int64_t>(ids[i]));
    }
    if (o.Has("images") && o.Get("images").IsTypedArray()) {
      Napi::Int32Array im = o.Get("images").As<Napi::Int32Array>();
      f.images.assign(im.Data(), im.Data() + im.ElementLength());
    }
    f.coordinates = o.Has("unwrapped") && o.Get("unwrapped").ToBoolean() ? CoordinateKind::Unwrapped : CoordinateKind::Wrapped;
    if ((!f.types.empty() && f.types.size() != f.natoms) || (!f.charges.empty() && f.charges.size() != f.natoms) ||
        (!f.ids.empty() && f.ids.size() != f.natoms) || (!f.images.empty() && f.images.size() != 3 * f.natoms))
      throw Napi::TypeError::New(env, "types, charges, ids and images must have one entry (images: three) per atom");
    try {
      writer_->write(f);
    } catch (...) {
      throw error_from_current_exception(env);
    }
    return env.Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (writer_) {
      try {
        writer_->close();
      } catch (...) {
        writer_.reset();
        throw error_from_current_exception(info.Env());
      }
      writer_.reset();
    }
    return info.Env().Undefined();
  }

  // Drops the writer without finishing: its temporary file is removed, the destination untouched.
  Napi::Value Abort(const Napi::CallbackInfo& info) {
    writer_.reset();
    return info.Env().Undefined();
  }

  std::unique_ptr<TrajectoryWriter> writer_;
};

}  // namespace

void register_trajectory(Napi::Env env, Napi::Object exports) {
  NativeTrajectory::Register(env, exports);
  NativeTrajectoryWriter::Register(env, exports);
  exports.Set("scanTrajectory", Napi::Function::New(env, ScanTrajectory));
  exports.Set("countFrames", Napi::Function::New(env, CountFrames));
  exports.Set("formatFromPath", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(info.Env(), "formatFromPath(path)");
    return Napi::String::New(info.Env(), format_from_path(info[0].As<Napi::String>()));
  }));
  Napi::Array formats = Napi::Array::New(env);
  for (std::size_t i = 0; i < known_formats().size(); ++i) formats.Set(static_cast<uint32_t>(i), known_formats()[i]);
  exports.Set("formats", formats);
}

}  // namespace ionfield::binding
