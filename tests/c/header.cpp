// The header compiles as C++ (-Wall -Wextra -Werror) and links: cpp_compat works.
#include "warranty.h"

#include <cstdio>
#include <cstring>

int main() {
    wty_engine *engine = wty_engine_new();
    char *response = nullptr;
    wty_status st = wty_call(engine, "{\"op\":\"version\"}", &response);
    int bad = (st != WTY_OK || response == nullptr || std::strstr(response, WTY_VERSION) == nullptr);
    std::printf("%s\n", response ? response : "(null)");
    wty_string_free(response);
    wty_engine_free(engine);
    std::printf("%d passed, %d failed\n", bad ? 0 : 1, bad);
    return bad;
}
