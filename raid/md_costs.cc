// MdCosts from a machine profile: see md_costs.h.
#include "raid/md_costs.h"

#include <string>

namespace mdsim {

namespace {

void take(const Machine& m, const char* name, Time* field) {
  const auto& c = m.profile().costs;
  auto it = c.find(name);
  if (it != c.end()) *field = it->second;
}

}  // namespace

MdCosts MdCosts::from(const Machine& m) {
  MdCosts c;
  take(m, "md.request", &c.md_request);
  take(m, "md.pers_request", &c.pers_request);
  take(m, "md.member_submit", &c.member_submit);
  take(m, "md.member_endio", &c.member_endio);
  take(m, "md.bio_endio", &c.bio_endio);
  take(m, "raid5.stripe_add", &c.stripe_add);
  take(m, "raid5.stripe_handle", &c.stripe_handle);
  take(m, "raid5.parity_per_kib", &c.parity_per_kib);
  take(m, "raid1.copy_per_kib", &c.copy_per_kib);
  take(m, "md.thread_wakeup", &c.thread_wakeup);
  return c;
}

}  // namespace mdsim
