// expect-error: Transport does not satisfy sigma::transport
#include <sigma/client.hpp>

struct not_a_transport {
    int send(int) { return 0; }
};

int main() {
    sigma::basic_client<not_a_transport>* c = nullptr;
    return c == nullptr ? 0 : sizeof(*c) > 0;
}
