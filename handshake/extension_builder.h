// handshake/extension_builder.h: the extension list of a message being built, whose bodies live
// as long as the builder (the message's Extension views point into them).
//
//   ExtensionBuilder ext;
//   { WireWriter w = ext.add(ExtensionType::kSupportedVersions); encode_...(w, ...); }
//   message.extensions = ext.list();
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "handshake/messages/extensions.h"
#include "handshake/wire/wire_writer.h"

namespace volley::tls {

class ExtensionBuilder {
 public:
  // add starts an extension of |type| and returns a writer onto its (empty) body.
  WireWriter add(ExtensionType type) {
    types_.push_back(type);
    bodies_.emplace_back();
    return WireWriter(&bodies_.back());
  }
  std::vector<Extension> list() const {
    std::vector<Extension> out;
    auto body = bodies_.begin();
    for (ExtensionType t : types_) out.push_back(Extension{t, Bytes(*body++)});
    return out;
  }

 private:
  std::vector<ExtensionType> types_;
  std::deque<std::vector<uint8_t>> bodies_;  // a deque: adding one moves no other
};

}  // namespace volley::tls
