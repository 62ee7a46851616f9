// expect-error: sigma::basic_client::list_all: this endpoint does not page; use get()
#include <sigma/api/endpoints.hpp>
#include <sigma/client.hpp>
#include <sigma/testing/memory_transport.hpp>

// A listing of an endpoint that returns one object: the assertion names the
// call the user wrote, not a helper it goes through.
void list_one(sigma::basic_client<sigma::testing::memory_transport>& c) {
    (void)c.async_list_all(sigma::api::get_workbook{});
}

int main() { return 0; }
