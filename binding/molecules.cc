// JS access to MoleculeCentres: a topology in, then batches of unwrapped frames in and centres of
// mass (and the atomic charge moment) out. Synchronous: one linear pass over the batch's atoms,
// far cheaper than reading the batch that the caller has just awaited.
#include <napi.h>

#include <memory>

#include "errors.hpp"
#include "ionfield/molecules.hpp"
#include "module.hpp"

namespace ionfield::binding {
namespace {

template <typename Array>
Array typed(const Napi::Value& v, napi_typedarray_type type, const char* what) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type)
    throw Napi::TypeError::New(v.Env(), std::string("NativeMoleculeCentres: ") + what);
  return v.As<Array>();
}

class NativeMoleculeCentres : public Napi::ObjectWrap<NativeMoleculeCentres> {
 public:
  static void Register(Napi::Env env, Napi::Object exports) {
    Napi::Function cls = DefineClass(env, "NativeMoleculeCentres",
                                     {InstanceMethod("compute", &NativeMoleculeCentres::Compute),
                                      InstanceMethod("masses", &NativeMoleculeCentres::Masses),
                                      InstanceMethod("charges", &NativeMoleculeCentres::Charges)});
    exports.Set("NativeMoleculeCentres", cls);
  }

  // new NativeMoleculeCentres({molecule: Int32Array, masses: Float64Array, charges: Float64Array, bonds: Int32Array,
  //                           centreAtoms?: Int32Array (per molecule, -1: centre of mass)})
  explicit NativeMoleculeCentres(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeMoleculeCentres>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "NativeMoleculeCentres(topology)");
    Napi::Object o = info[0].As<Napi::Object>();
    auto mol = typed<Napi::Int32Array>(o.Get("molecule"), napi_int32_array, "molecule must be an Int32Array");
    auto masses = typed<Napi::Float64Array>(o.Get("masses"), napi_float64_array, "masses must be a Float64Array");
    auto charges = typed<Napi::Float64Array>(o.Get("charges"), napi_float64_array, "charges must be a Float64Array");
    auto bonds = typed<Napi::Int32Array>(o.Get("bonds"), napi_int32_array, "bonds must be an Int32Array");
    MoleculeLayout layout;
    layout.molecule.assign(mol.Data(), mol.Data() + mol.ElementLength());
    layout.masses.assign(masses.Data(), masses.Data() + masses.ElementLength());
    layout.charges.assign(charges.Data(), charges.Data() + charges.ElementLength());
    layout.bonds.assign(bonds.Data(), bonds.Data() + bonds.ElementLength());
    if (o.Has("centreAtoms") && o.Get("centreAtoms").IsTypedArray()) {
      auto centres = typed<Napi::Int32Array>(o.Get("centreAtoms"), napi_int32_array, "centreAtoms must be an Int32Array");
      layout.centre_atoms.assign(centres.Data(), centres.Data() + centres.ElementLength());
    }
    try {
      centres_ = std::make_unique<MoleculeCentres>(layout);
    } catch (...) {
      throw error_from_current_exception(env);
    }
  }

 private:
  // compute(positions, boxes | null, frames, periodic: boolean[3], selected: Uint8Array | null)
  //   -> { centres: Float64Array(frames*nmol*3), moments: Float64Array(frames*3), reach: number }
  Napi::Value Compute(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto positions = typed<Napi::Float64Array>(info[0], napi_float64_array, "positions must be a Float64Array");
    const std::size_t frames = static_cast<std::size_t>(info[2].ToNumber().Int64Value());
    const std::size_t n = centres_->atoms(), nmol = centres_->molecules();
    if (positions.ElementLength() < frames * n * 3) throw Napi::RangeError::New(env, "positions: fewer than frames x atoms x 3 values");
    const double* cells = nullptr;
    if (info[1].IsTypedArray()) {
      auto boxes = typed<Napi::Float64Array>(info[1], napi_float64_array, "boxes must be a Float64Array");
      if (boxes.ElementLength() < frames * 9) throw Napi::RangeError::New(env, "boxes: fewer than frames x 9 values");
      cells = boxes.Data();
    }
    std::array<bool, 3> periodic{true, true, true};
    if (info[3].IsArray()) {
      Napi::Array p = info[3].As<Napi::Array>();
      for (uint32_t k = 0; k < 3 && k < p.Length(); ++k) periodic[k] = p.Get(k).ToBoolean();
    }
    const unsigned char* selected = nullptr;
    if (info[4].IsTypedArray()) {
      auto s = typed<Napi::Uint8Array>(info[4], napi_uint8_array, "selected must be a Uint8Array");
      if (s.ElementLength() != nmol) throw Napi::RangeError::New(env, "selected: need one flag per molecule");
      selected = s.Data();
    }
    Napi::Float64Array out = Napi::Float64Array::New(env, frames * nmol * 3);
    Napi::Float64Array moments = Napi::Float64Array::New(env, frames * 3);
    double reach = 0;
    try {
      reach = centres_->compute(positions.Data(), cells, frames, periodic, selected, out.Data(), moments.Data());
    } catch (...) {
      throw error_from_current_exception(env);
    }
    Napi::Object result = Napi::Object::New(env);
    result.Set("centres", out);
    result.Set("moments", moments);
    result.Set("reach", reach);
    return result;
  }

  Napi::Value Masses(const Napi::CallbackInfo& info) { return copy(info.Env(), centres_->molecule_masses()); }
  Napi::Value Charges(const Napi::CallbackInfo& info) { return copy(info.Env(), centres_->molecule_charges()); }

  static Napi::Float64Array copy(Napi::Env env, const std::vector<double>& v) {
    Napi::Float64Array a = Napi::Float64Array::New(env, v.size());
    std::copy(v.begin(), v.end(), a.Data());
    return a;
  }

  std::unique_ptr<MoleculeCentres> centres_;
};

}  // namespace

void register_molecules(Napi::Env env, Napi::Object exports) { NativeMoleculeCentres::Register(env, exports); }

}  // namespace ionfield::binding
