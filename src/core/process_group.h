// The processes of one `mpirun -np N attnscope ...` run, or just this one without mpirun.
// MPI is optional at build time (ATTNSCOPE_HAVE_MPI); without it, or when not started by
// mpirun, there is one process of rank 0 and every call is local.
#pragma once

#include <cstddef>
#include <vector>

namespace attnscope {

class ProcessGroup {
 public:
  // Joins the MPI world when launched by mpirun (OpenMPI's or PMI's environment variables say
  // so); otherwise a group of one. Finalises on destruction.
  ProcessGroup();
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool root() const { return rank_ == 0; }

  // Work item i belongs to rank i % size.
  bool owns(size_t item) const { return item % static_cast<size_t>(size_) == static_cast<size_t>(rank_); }

  // Each rank passes the vectors of the items it owns, in item order, all `width` long. Rank 0
  // gets every item's vector back in global item order (`items` in all); others get nothing.
  std::vector<std::vector<double>> gather_items(const std::vector<std::vector<double>>& mine, size_t items,
                                                size_t width) const;

  // Rank 0's flag to everyone (for a failure on rank 0 that all must see). Identity without MPI.
  bool broadcast(bool value) const;

 private:
  int rank_ = 0, size_ = 1;
  bool mpi_ = false;
};

}  // namespace attnscope
