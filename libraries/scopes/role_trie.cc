#include "libraries/scopes/role_trie.h"

#include <algorithm>
#include <utility>

namespace bulwark::scopes::internal {
namespace {

TrieNode* Mutable(TrieNodePtr& node, uint64_t generation) {
  if (node->generation != generation) {
    node = std::make_shared<TrieNode>(*node, generation);
  }
  return node.get();
}

RolePtr& Slot(TrieNode& node, bool star) { return star ? node.star : node.exact; }

std::vector<TrieEdge>::iterator FindEdge(std::vector<TrieEdge>& edges, char c) {
  return std::lower_bound(edges.begin(), edges.end(), c, [](const TrieEdge& e, char ch) {
    return static_cast<unsigned char>(e.label[0]) < static_cast<unsigned char>(ch);
  });
}

void Insert(TrieNodePtr& ptr, absl::string_view path, bool star, RolePtr role,
            uint64_t generation) {
  TrieNode* node = Mutable(ptr, generation);
  if (path.empty()) {
    Slot(*node, star) = std::move(role);
    return;
  }
  auto it = FindEdge(node->children, path[0]);
  if (it == node->children.end() || it->label[0] != path[0]) {
    auto leaf = std::make_shared<TrieNode>(generation);
    Slot(*leaf, star) = std::move(role);
    node->children.insert(it, TrieEdge{std::string(path), std::move(leaf)});
    return;
  }
  const size_t common = static_cast<size_t>(
      std::mismatch(it->label.begin(), it->label.end(), path.begin(), path.end()).first -
      it->label.begin());
  if (common < it->label.size()) {
    // Split the edge: a new node at the common prefix takes the old subtree as
    // its child.
    auto mid = std::make_shared<TrieNode>(generation);
    mid->children.push_back(TrieEdge{it->label.substr(common), std::move(it->node)});
    it->label.resize(common);
    it->node = std::move(mid);
  }
  Insert(it->node, path.substr(common), star, std::move(role), generation);
}

// Clears the role and prunes: an empty child disappears, a role-less child with
// a single child of its own is merged into its parent edge.
void Remove(TrieNodePtr& ptr, absl::string_view path, bool star, uint64_t generation) {
  TrieNode* node = Mutable(ptr, generation);
  if (path.empty()) {
    Slot(*node, star).reset();
    return;
  }
  auto it = FindEdge(node->children, path[0]);
  if (it == node->children.end() || !absl::StartsWith(path, it->label)) {
    return;
  }
  Remove(it->node, path.substr(it->label.size()), star, generation);
  TrieNode& child = *it->node;
  if (child.empty()) {
    node->children.erase(it);
  } else if (!child.exact && !child.star && child.children.size() == 1) {
    TrieEdge grandchild = child.children[0];
    it->label += grandchild.label;
    it->node = std::move(grandchild.node);
  }
}

}  // namespace

const TrieEdge* TrieNode::FindChild(char c) const {
  auto it = std::lower_bound(children.begin(), children.end(), c, [](const TrieEdge& e, char ch) {
    return static_cast<unsigned char>(e.label[0]) < static_cast<unsigned char>(ch);
  });
  return it != children.end() && it->label[0] == c ? &*it : nullptr;
}

void SetRole(TrieNodePtr& root, absl::string_view role_id, RolePtr role, uint64_t generation) {
  const bool star = IsStar(role_id);
  if (role) {
    Insert(root, WithoutStar(role_id), star, std::move(role), generation);
  } else {
    Remove(root, WithoutStar(role_id), star, generation);
  }
}

void TouchPath(TrieNodePtr& root, absl::string_view role_id, uint64_t generation) {
  absl::string_view path = WithoutStar(role_id);
  TrieNodePtr* ptr = &root;
  while (true) {
    TrieNode* node = Mutable(*ptr, generation);
    if (path.empty()) return;
    auto it = FindEdge(node->children, path[0]);
    if (it == node->children.end() || !absl::StartsWith(path, it->label)) {
      return;
    }
    path.remove_prefix(it->label.size());
    ptr = &it->node;
  }
}

const CompiledRole* FindRole(const TrieNode& root, absl::string_view role_id) {
  const bool star = IsStar(role_id);
  absl::string_view path = WithoutStar(role_id);
  const TrieNode* node = &root;
  while (!path.empty()) {
    const TrieEdge* edge = node->FindChild(path[0]);
    if (edge == nullptr || !absl::StartsWith(path, edge->label)) return nullptr;
    path.remove_prefix(edge->label.size());
    node = edge->node.get();
  }
  return star ? node->star.get() : node->exact.get();
}

}  // namespace bulwark::scopes::internal
