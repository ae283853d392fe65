/*
 * The loaded-module list at crash time: /proc/self/maps parsed into fixed
 * buffers, and each module's GNU build id read from its ELF notes with
 * pread() (reading the file rather than the mapping means an odd mapping can
 * never fault inside the handler).
 *
 * Every function here is SIGNAL-SAFE: no heap, no locks, no stdio.
 */
#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include "cf_internal.h"

static const char *cf__skip_spaces(const char *p, const char *end) {
  while (p < end && *p == ' ') p++;
  return p;
}

/* Line format: "start-end perms offset dev inode   path". */
int cf__maps_parse_line(const char *line, size_t len, cf__mapping *out) {
  const char *p = line, *end = line + len;
  size_t used;
  out->start = cf__parse_hex(p, (size_t)(end - p), &used);
  if (used == 0 || p + used >= end || p[used] != '-') return -1;
  p += used + 1;
  out->end = cf__parse_hex(p, (size_t)(end - p), &used);
  if (used == 0 || out->end <= out->start) return -1;
  p = cf__skip_spaces(p + used, end);
  if (end - p < 4) return -1;
  out->readable = p[0] == 'r';
  out->executable = p[2] == 'x';
  p = cf__skip_spaces(p + 4, end);
  out->offset = cf__parse_hex(p, (size_t)(end - p), &used);
  if (used == 0) return -1;
  p = cf__skip_spaces(p + used, end);
  while (p < end && *p != ' ') p++; /* dev */
  p = cf__skip_spaces(p, end);
  while (p < end && *p != ' ') p++; /* inode */
  p = cf__skip_spaces(p, end);
  out->path = p;
  out->path_len = (size_t)(end - p);
  return 0;
}

static int cf__path_is(const cf__module *m, const cf__mapping *mp) {
  size_t i = 0;
  for (; i < mp->path_len; i++) {
    if (i + 1 >= CF__MODULE_PATH || m->path[i] != mp->path[i]) return 0;
  }
  return m->path[i] == '\0';
}

static void cf__maps_take(cf__maps *m, const cf__mapping *mp) {
  if (m->query >= mp->start && m->query < mp->end) {
    m->query_start = mp->start;
    m->query_end = mp->end;
  }
  /* Only file-backed mappings are modules ("[vdso]" and friends are skipped). */
  if (mp->path_len == 0 || mp->path[0] != '/') return;
  cf__module *last = m->count ? &m->modules[m->count - 1] : 0;
  if (last && cf__path_is(last, mp) && mp->start >= last->end && mp->offset != 0) {
    last->end = mp->end; /* a later segment of the same file */
    return;
  }
  if (mp->offset != 0 || m->count >= CF__MAX_MODULES) return;
  cf__module *mod = &m->modules[m->count++];
  mod->start = mp->start;
  mod->end = mp->end;
  size_t n = mp->path_len < CF__MODULE_PATH - 1 ? mp->path_len : CF__MODULE_PATH - 1;
  cf__memcpy(mod->path, mp->path, n);
  mod->path[n] = '\0';
  mod->build_id_len = 0;
}

int cf__maps_read(int fd, cf__maps *m) {
  size_t line_len = 0;
  int overflow = 0;
  m->count = 0;
  m->query_start = m->query_end = 0;
  for (;;) {
    ssize_t n = read(fd, m->chunk, sizeof m->chunk);
    if (n < 0) return -1;
    if (n == 0) break;
    for (ssize_t i = 0; i < n; i++) {
      char c = m->chunk[i];
      if (c != '\n') {
        if (line_len < sizeof m->line) m->line[line_len++] = c;
        else overflow = 1; /* an over-long path: keep the prefix, it still parses */
        continue;
      }
      cf__mapping mp;
      if (cf__maps_parse_line(m->line, line_len, &mp) == 0) cf__maps_take(m, &mp);
      line_len = 0;
      overflow = 0;
    }
  }
  (void)overflow;
  if (line_len) {
    cf__mapping mp;
    if (cf__maps_parse_line(m->line, line_len, &mp) == 0) cf__maps_take(m, &mp);
  }
  return 0;
}

static int cf__pread_all(int fd, void *buf, size_t n, off_t off) {
  return pread(fd, buf, n, off) == (ssize_t)n ? 0 : -1;
}

/* Walks one note segment looking for NT_GNU_BUILD_ID. */
static int cf__scan_notes(int fd, uint64_t off, uint64_t size, uint8_t *out, int max) {
  unsigned char notes[2048];
  if (size > sizeof notes) size = sizeof notes;
  if (cf__pread_all(fd, notes, (size_t)size, (off_t)off) != 0) return 0;
  uint64_t p = 0;
  while (p + sizeof(Elf64_Nhdr) <= size) {
    Elf64_Nhdr nh; /* same layout as Elf32_Nhdr */
    cf__memcpy(&nh, notes + p, sizeof nh);
    uint64_t name_at = p + sizeof nh;
    uint64_t desc_at = name_at + ((nh.n_namesz + 3u) & ~3u);
    uint64_t next = desc_at + ((nh.n_descsz + 3u) & ~3u);
    if (next > size) break;
    if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && notes[name_at] == 'G' && notes[name_at + 1] == 'N' &&
        notes[name_at + 2] == 'U') {
      int n = nh.n_descsz < (uint32_t)max ? (int)nh.n_descsz : max;
      cf__memcpy(out, notes + desc_at, (size_t)n);
      return n;
    }
    p = next;
  }
  return 0;
}

int cf__elf_build_id(const char *path, uint8_t *out, int max) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  int found = 0;
  unsigned char ident[EI_NIDENT];
  if (cf__pread_all(fd, ident, sizeof ident, 0) == 0 && ident[EI_MAG0] == ELFMAG0 && ident[EI_MAG1] == ELFMAG1 &&
      ident[EI_MAG2] == ELFMAG2 && ident[EI_MAG3] == ELFMAG3) {
    if (ident[EI_CLASS] == ELFCLASS64) {
      Elf64_Ehdr eh;
      if (cf__pread_all(fd, &eh, sizeof eh, 0) == 0) {
        for (int i = 0; i < eh.e_phnum && i < 64 && !found; i++) {
          Elf64_Phdr ph;
          if (cf__pread_all(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize)) != 0) break;
          if (ph.p_type == PT_NOTE) found = cf__scan_notes(fd, ph.p_offset, ph.p_filesz, out, max);
        }
      }
    } else if (ident[EI_CLASS] == ELFCLASS32) {
      Elf32_Ehdr eh;
      if (cf__pread_all(fd, &eh, sizeof eh, 0) == 0) {
        for (int i = 0; i < eh.e_phnum && i < 64 && !found; i++) {
          Elf32_Phdr ph;
          if (cf__pread_all(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + (uint32_t)i * eh.e_phentsize)) != 0) break;
          if (ph.p_type == PT_NOTE) found = cf__scan_notes(fd, ph.p_offset, ph.p_filesz, out, max);
        }
      }
    }
  }
  close(fd);
  return found;
}

void cf__maps_read_build_ids(cf__maps *m) {
  for (int i = 0; i < m->count; i++) {
    m->modules[i].build_id_len = cf__elf_build_id(m->modules[i].path, m->modules[i].build_id, CF__BUILD_ID_MAX);
  }
}

const cf__module *cf__maps_find(const cf__maps *m, uint64_t addr) {
  for (int i = 0; i < m->count; i++) {
    if (addr >= m->modules[i].start && addr < m->modules[i].end) return &m->modules[i];
  }
  return 0;
}
