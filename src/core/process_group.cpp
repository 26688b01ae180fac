#include "core/process_group.h"

#include <cstdlib>
#include <stdexcept>

#ifdef ATTNSCOPE_HAVE_MPI
#include <mpi.h>
#endif

namespace attnscope {

namespace {
bool launched_by_mpirun() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE") || std::getenv("PMIX_RANK");
}
}  // namespace

ProcessGroup::ProcessGroup() {
#ifdef ATTNSCOPE_HAVE_MPI
  if (!launched_by_mpirun()) return;
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (!initialised) MPI_Init(nullptr, nullptr);
  mpi_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
#else
  if (launched_by_mpirun() && std::getenv("OMPI_COMM_WORLD_SIZE") && std::atoi(std::getenv("OMPI_COMM_WORLD_SIZE")) > 1)
    throw std::runtime_error("started by mpirun, but this attnscope was built without MPI (install libopenmpi-dev and rebuild)");
#endif
}

ProcessGroup::~ProcessGroup() {
#ifdef ATTNSCOPE_HAVE_MPI
  if (mpi_) MPI_Finalize();
#endif
}

std::vector<std::vector<double>> ProcessGroup::gather_items(const std::vector<std::vector<double>>& mine,
                                                            size_t items, size_t width) const {
  for (const auto& v : mine)
    if (v.size() != width) throw std::runtime_error("gather_items: vectors of different widths");
  if (!mpi_ || size_ == 1) return mine;
  (void)items;
#ifdef ATTNSCOPE_HAVE_MPI
  std::vector<double> send;
  send.reserve(mine.size() * width);
  for (const auto& v : mine) send.insert(send.end(), v.begin(), v.end());
  std::vector<int> counts(size_), displs(size_);
  for (int r = 0; r < size_; ++r) {
    const size_t owned = items > static_cast<size_t>(r) ? (items - r + size_ - 1) / size_ : 0;
    counts[r] = static_cast<int>(owned * width);
    displs[r] = r ? displs[r - 1] + counts[r - 1] : 0;
  }
  if (static_cast<size_t>(counts[rank_]) != send.size())
    throw std::runtime_error("gather_items: rank " + std::to_string(rank_) + " has " + std::to_string(mine.size()) +
                             " items, expected " + std::to_string(counts[rank_] / (width ? width : 1)));
  std::vector<double> recv(root() ? items * width : 0);
  MPI_Gatherv(send.data(), counts[rank_], MPI_DOUBLE, recv.data(), counts.data(), displs.data(), MPI_DOUBLE, 0,
              MPI_COMM_WORLD);
  if (!root()) return {};
  std::vector<std::vector<double>> out(items);
  for (int r = 0; r < size_; ++r)
    for (size_t j = 0; j * width < static_cast<size_t>(counts[r]); ++j) {
      const double* p = recv.data() + displs[r] + j * width;
      out[r + j * size_].assign(p, p + width);
    }
  return out;
#else
  return mine;
#endif
}

bool ProcessGroup::broadcast(bool value) const {
#ifdef ATTNSCOPE_HAVE_MPI
  if (mpi_ && size_ > 1) {
    int v = value;
    MPI_Bcast(&v, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return v != 0;
  }
#endif
  return value;
}

}  // namespace attnscope
