#include "traj/xyz_comment.hpp"

#include <cctype>
#include <cmath>

#include "traj/line_reader.hpp"

namespace ionfield::detail {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// Splits the comment into (key, value) pairs; a key without '=' gets the value "T".
std::vector<std::pair<std::string, std::string>> key_values(std::string_view s) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    while (i < n && is_blank(s[i])) ++i;
    if (i >= n) break;
    const std::size_t key_start = i;
    while (i < n && !is_blank(s[i]) && s[i] != '=') ++i;
    std::string key(s.substr(key_start, i - key_start));
    std::size_t j = i;
    while (j < n && is_blank(s[j])) ++j;
    if (j >= n || s[j] != '=') {
      out.emplace_back(std::move(key), "T");
      continue;
    }
    i = j + 1;
    while (i < n && is_blank(s[i])) ++i;
    std::string value;
    if (i < n && (s[i] == '"' || s[i] == '{')) {
      const char close = s[i] == '"' ? '"' : '}';
      for (++i; i < n && s[i] != close; ++i) {
        if (s[i] == '\\' && i + 1 < n) ++i;
        value.push_back(s[i]);
      }
      if (i < n) ++i;  // the closing quote; an unterminated one runs to the end of the line
    } else {
      const std::size_t v = i;
      while (i < n && !is_blank(s[i])) ++i;
      value.assign(s.substr(v, i - v));
    }
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

bool numbers(const std::string& text, double* values, std::size_t count) {
  std::vector<std::string_view> fields;
  if (split_fields(text, fields) != count) return false;
  for (std::size_t k = 0; k < count; ++k)
    if (!parse_finite(fields[k], values[k])) return false;
  return true;
}

bool logical(std::string_view v, bool& value) {
  if (iequals(v, "T") || iequals(v, "true") || v == "1") value = true;
  else if (iequals(v, "F") || iequals(v, "false") || v == "0") value = false;
  else return false;
  return true;
}

bool step_value(std::string_view v, long long& step) {
  if (parse_int64(v, step)) return true;
  double d;  // some writers print the step as a float ("1000.0")
  if (parse_finite(v, d) && d == std::floor(d) && std::fabs(d) < 9e15) {
    step = static_cast<long long>(d);
    return true;
  }
  return false;
}

bool properties(const std::string& text, std::vector<XyzProperty>& out, std::string& error) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t colon = text.find(':', start);
    parts.push_back(text.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (parts.size() % 3 != 0) {
    error = "Properties='" + text + "' is not a list of name:type:count triples";
    return false;
  }
  for (std::size_t i = 0; i < parts.size(); i += 3) {
    XyzProperty p;
    p.name = parts[i];
    long long count = 0;
    if (parts[i + 1].size() != 1 || std::string("SRIL").find(parts[i + 1][0]) == std::string::npos ||
        !parse_int64(parts[i + 2], count) || count < 1 || count > 1000) {
      error = "Properties entry '" + parts[i] + ":" + parts[i + 1] + ":" + parts[i + 2] +
              "' should be name:type:count with type S, R, I or L and a positive count";
      return false;
    }
    p.type = parts[i + 1][0];
    p.count = static_cast<int>(count);
    out.push_back(std::move(p));
  }
  return true;
}

}  // namespace

bool parse_xyz_comment(std::string_view comment, XyzComment& out, std::string& error) {
  if (comment.find('=') == std::string_view::npos) {
    // LAMMPS `dump xyz` writes "Atoms. Timestep: N".
    const std::size_t at = comment.find("Timestep:");
    if (at != std::string_view::npos) {
      std::vector<std::string_view> fields;
      split_fields(comment.substr(at + 9), fields);
      if (!fields.empty()) step_value(fields[0], out.step);
    }
    return true;
  }
  for (auto [key, value] : key_values(comment)) {
    // CP2K and GPUMD write "i = 0, time = 0.000, E = ...": a trailing comma ends the value.
    if (!value.empty() && (value.back() == ',' || value.back() == ';')) value.pop_back();
    if (iequals(key, "Lattice")) {
      if (!numbers(value, out.lattice.data(), 9)) {
        error = "Lattice=\"" + printable(value) + "\" should be 9 numbers (cell vectors a, b, c)";
        return false;
      }
      out.has_lattice = true;
    } else if (iequals(key, "Origin")) {
      if (!numbers(value, out.origin.data(), 3)) {
        error = "Origin=\"" + printable(value) + "\" should be 3 numbers";
        return false;
      }
    } else if (iequals(key, "pbc")) {
      std::vector<std::string_view> fields;
      if (split_fields(value, fields) != 3 || !logical(fields[0], out.pbc[0]) || !logical(fields[1], out.pbc[1]) ||
          !logical(fields[2], out.pbc[2])) {
        error = "pbc=\"" + printable(value) + "\" should be three of T/F";
        return false;
      }
    } else if (iequals(key, "Properties")) {
      if (!properties(value, out.properties, error)) return false;
      out.has_properties = true;
    } else if (iequals(key, "Time")) {
      if (!parse_finite(value, out.time)) {
        error = "Time=" + printable(value) + " should be a number";
        return false;
      }
    } else if (iequals(key, "step") || iequals(key, "Timestep")) {
      if (!step_value(value, out.step)) {
        error = key + "=" + printable(value) + " should be an integer MD step";
        return false;
      }
    } else if (iequals(key, "unwrapped")) {
      bool v = false;
      if (!logical(value, v)) {
        error = "unwrapped=" + printable(value) + " should be T or F";
        return false;
      }
      out.unwrapped = v ? 1 : 0;
    }
  }
  return true;
}

}  // namespace ionfield::detail
