/* fuzz_img.c: libFuzzer target for core/img.c (the mirror's picture
 * validator).
 *
 * Each input is validated with small limits (64 KiB, 512 px, 64 frames) so
 * the decoders stay fast; whatever the bytes, img_validate() must return a
 * known reason, never crash, leak or trip a sanitizer, and an accepted
 * image must report a format matching its magic and dimensions inside the
 * limits. The seeds in fuzz/corpus/img/ are synthesized pictures of each
 * format (tests/fixtures/upstream.py makes the same kinds).
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *        -I. -Icore core/img.c fuzz/fuzz_img.c \
 *        $(pkg-config --cflags --libs libpng libjpeg libwebp) -lgif -o fuzz_img
 */
#include <stddef.h>
#include <stdint.h>

#include "core/img.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct img_limits lim = { 64u << 10, 512, 512LL * 512LL, 64 };
	struct img_info info;
	char err[256];
	enum img_reject r = img_validate(data, len, &lim, &info, err, sizeof err);

	if ((unsigned)r > IMG_REJECT_UNSUPPORTED)
		__builtin_trap();
	if (r == IMG_OK) {
		if (info.format != img_sniff(data, len) || info.width <= 0 || info.height <= 0 ||
		    info.width > 512 || info.height > 512 || info.frames < 1 || err[0])
			__builtin_trap();
	} else if (!err[0]) {
		__builtin_trap(); /* every rejection says why */
	}
	return 0;
}
