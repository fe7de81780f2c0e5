/* ProcessPrng, which Rust's std (1.78 and later) imports from
 * bcryptprimitives.dll for its random numbers (HashMap's keys), is missing
 * from wine 8.0. This DLL, built by mingw-w64 into the wine prefix, answers
 * it with RtlGenRandom (advapi32's SystemFunction036), which wine has. Used
 * only to run the Windows build of the tests under wine. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
