#pragma once
// From scenario parameters to the contact centre's settings, and the whole-scenario check.

#include "core/params.hpp"
#include "service/contact_centre.hpp"

namespace cxsim {

/// The contact centre a scenario describes ([contact_centre], [phone], [chat], [email], [chatbot]).
ContactCentreConfig contact_centre_config(const Params& params);

/// validate(params), then the contact centre's own rules (e.g. agents in every open hour).
/// @throws InputError naming the scenario key
void check_scenario(const Params& params);

}  // namespace cxsim
