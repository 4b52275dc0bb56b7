/* An arena allocator for CPython 3.11 that keeps freed blocks for reuse instead of unmapping them.

   CPython 3.11 allocates the frames' data stack in 16 KiB chunks through the object arena allocator
   (mmap) and unmaps a chunk as soon as the call that needed it returns. A loop that calls, again and
   again, across a chunk boundary maps and unmaps on every call and faults the pages back in: in this
   suite that was a third of the CPU time, all of it in the kernel (CPython issue gh-142183, fixed
   in 3.13 and later by keeping one chunk). Kept blocks are reused for the same size; blocks mapped
   before this allocator was installed are freed through it too, which works because both map them.
   Called with the GIL held, like every arena allocator. */
#include <stddef.h>
#include <sys/mman.h>

#define KEPT_BLOCKS 64

static struct { void *ptr; size_t size; } kept[KEPT_BLOCKS];
static int kept_count;

void *arena_alloc(void *ctx, size_t size) {
    (void)ctx;
    for (int i = kept_count - 1; i >= 0; i--) {
        if (kept[i].size == size) {
            void *ptr = kept[i].ptr;
            kept[i] = kept[--kept_count];
            return ptr;
        }
    }
    void *ptr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return ptr == MAP_FAILED ? NULL : ptr;
}

void arena_free(void *ctx, void *ptr, size_t size) {
    (void)ctx;
    if (ptr == NULL) {
        return;
    }
    if (kept_count < KEPT_BLOCKS) {
        kept[kept_count].ptr = ptr;
        kept[kept_count].size = size;
        kept_count++;
        return;
    }
    munmap(ptr, size);
}
